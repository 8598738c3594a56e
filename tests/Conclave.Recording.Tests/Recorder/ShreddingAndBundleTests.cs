using Conclave.Crypto.Envelopes;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

/// <summary>A recording leaving the appliance as a bundle, and one shredded when its retention ends.</summary>
public sealed class ShreddingAndBundleTests : IDisposable
{
    private readonly RecorderScene _scene = new();
    private readonly byte[] _recordingId = RecorderScene.NewRecordingId();
    private readonly string _directory;

    /// <summary>Three segments of two packets each, stopped.</summary>
    public ShreddingAndBundleTests()
    {
        _scene.Tap.Start(RecorderScene.Room, _recordingId, "meeting");
        for (ushort i = 0; i < 6; i++)
        {
            _scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(i));
            _scene.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        _scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop).GetAwaiter().GetResult();
        _directory = RecorderScene.DirectoryOf(_scene.Options, _recordingId);
    }

    private string Id => Convert.ToHexStringLower(_recordingId);

    public void Dispose() => _scene.Dispose();

    [Fact]
    public void A_shredded_recording_is_gone_and_a_second_shred_or_a_path_for_an_id_is_refused()
    {
        Assert.NotEmpty(Directory.GetFiles(_directory, "*.cnsl"));

        Assert.True(RecordingShredder.Shred(_scene.Options, Id));

        Assert.False(Directory.Exists(_directory));
        Assert.False(RecordingShredder.Shred(_scene.Options, Id), "shredding twice finds nothing");
        Assert.Throws<ArgumentException>(() => RecordingShredder.Shred(_scene.Options, "../../etc"));
    }

    [Fact]
    public void Shredding_destroys_each_file_s_wrapped_key_in_place_before_deleting_it()
    {
        string segment = Directory.GetFiles(_directory, "segment-*.cnsl").Order(StringComparer.Ordinal).First();
        byte[] before = File.ReadAllBytes(segment);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            SealedEnvelope.DestroyKey(file, Path.GetFileName(segment));
        }

        byte[] after = File.ReadAllBytes(segment);
        Assert.NotEqual(before, after);
        Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(after, _scene.StorageKek, "segment"));
        Assert.True(RecordingShredder.Shred(_scene.Options, Id));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void A_bundle_holds_the_verified_plain_segments_and_the_credential_ca_and_reads_back_the_same_records()
    {
        string bundle = Path.Combine(_scene.Scratch("out"), "bundle");
        byte[] ca = [1, 2, 3, 4];

        RecordingBundle.Write(_scene.Options, Id, _scene.StorageKek, ca, bundle);

        var (recording, caSpki) = RecordingBundle.Open(bundle);
        Assert.Equal(ca, caSpki);
        Assert.Equal(
            _scene.Read(_recordingId).ReadRecords().OfType<RecordedRtp>().Select(r => Convert.ToHexString(r.RtpPacket)),
            recording.ReadRecords().OfType<RecordedRtp>().Select(r => Convert.ToHexString(r.RtpPacket)));
        Assert.Empty(Directory.GetFiles(bundle, "*.cnsl"));
        Assert.Throws<RecordingDataException>(() => RecordingBundle.Write(_scene.Options, Id, _scene.StorageKek, ca, bundle));
        Assert.Throws<RecordingDataException>(() => RecordingBundle.Write(_scene.Options, new string('0', 32), _scene.StorageKek, ca, Path.Combine(_scene.Scratch("other"), "b")));
    }
}
