using Conclave.Testing;
using Conclave.Crypto.Envelopes;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

public sealed class RecordingReaderTests : IDisposable
{
    private readonly RecorderScene _scene = new();
    private readonly string _directory;

    /// <summary>Three segments of two packets each.</summary>
    public RecordingReaderTests()
    {
        var recordingId = RecorderScene.NewRecordingId();
        _scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        for (ushort i = 0; i < 6; i++)
        {
            _scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(i));
            _scene.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        _scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop).GetAwaiter().GetResult();
        _directory = RecorderScene.DirectoryOf(_scene.Options, recordingId);
    }

    public void Dispose() => _scene.Dispose();

    [Fact]
    public void A_byte_altered_in_a_segment_is_refused_naming_the_segment_and_the_chunk()
    {
        Alter("segment-000002.cnsl", at: 200);

        var refused = Assert.Throws<RecordingDataException>(() => Open().ReadRecords().ToList());

        Assert.StartsWith("segment-000002.cnsl: chunk 0 fails authentication", refused.Message);
        Assert.IsType<SealedDataException>(refused.InnerException);
    }

    [Fact]
    public void A_segment_missing_from_the_directory_is_named()
    {
        File.Delete(Path.Combine(_directory, "segment-000002.cnsl"));

        var refused = Assert.Throws<RecordingDataException>(Open);

        Assert.Equal($"segment-000002.cnsl: in the manifest but missing from {_directory}", refused.Message);
    }

    [Fact]
    public void A_segment_the_manifest_does_not_list_is_named()
    {
        File.Copy(Path.Combine(_directory, "segment-000003.cnsl"), Path.Combine(_directory, "segment-000004.cnsl"));

        var refused = Assert.Throws<RecordingDataException>(Open);

        Assert.Equal($"segment-000004.cnsl: in {_directory} but not in the manifest", refused.Message);
    }

    [Fact]
    public void A_sealed_segment_put_in_the_place_of_another_is_refused()
    {
        string first = Path.Combine(_directory, "segment-000001.cnsl"), second = Path.Combine(_directory, "segment-000002.cnsl");
        var firstBytes = File.ReadAllBytes(first);
        File.Copy(second, first, overwrite: true);
        File.WriteAllBytes(second, firstBytes);

        var refused = Assert.Throws<RecordingDataException>(() => Open().ReadRecords().ToList());

        Assert.Equal("segment-000001.cnsl: its SHA-256 is not the manifest's (another sealed file put in its place)", refused.Message);
    }

    [Fact]
    public void A_recording_reads_the_same_after_a_storage_kek_rotation_rewraps_its_files_in_place()
    {
        var before = Render(Open());
        var rotated = new SoftwareKeyWrapper();
        foreach (string path in Directory.GetFiles(_directory))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            SealedEnvelope.Rewrap(file, _scene.StorageKek, rotated, Path.GetFileName(path));
        }

        var reader = RecordingReader.OpenSealed(_directory, rotated);

        Assert.Equal(before, Render(reader));
        Assert.Throws<RecordingDataException>(Open);
    }

    [Fact]
    public void Segments_without_their_storage_kek_layer_read_as_the_sealed_ones()
    {
        var sealedReader = Open();
        string plain = _scene.Scratch("bundle");

        PlainRecordingSource.Write(sealedReader, plain);
        var plainReader = RecordingReader.OpenPlain(plain);

        Assert.Equal(["manifest.json", "segment-000001.crsg", "segment-000002.crsg", "segment-000003.crsg"], Directory.GetFiles(plain).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(sealedReader.ManifestSha256, plainReader.ManifestSha256);
        Assert.Equal(Render(sealedReader), Render(plainReader));
    }

    [Fact]
    public void A_byte_altered_in_a_plain_segment_is_refused_naming_its_file()
    {
        string plain = _scene.Scratch("bundle");
        PlainRecordingSource.Write(Open(), plain);
        string path = Path.Combine(plain, "segment-000003.crsg");
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 1;
        File.WriteAllBytes(path, bytes);

        var refused = Assert.Throws<RecordingDataException>(() => RecordingReader.OpenPlain(plain).ReadRecords().ToList());

        Assert.StartsWith("segment-000003.crsg: its content is not what the manifest lists", refused.Message);
    }

    [Fact]
    public void A_recording_without_a_manifest_is_refused_saying_why()
    {
        File.Delete(Path.Combine(_directory, "manifest.cnsl"));

        var refused = Assert.Throws<RecordingDataException>(Open);

        Assert.Contains("no manifest.cnsl (the recording is still running, or conclaved has not recovered it since a crash)", refused.Message);
    }

    private RecordingReader Open() => RecordingReader.OpenSealed(_directory, _scene.StorageKek);

    private void Alter(string segment, int at)
    {
        string path = Path.Combine(_directory, segment);
        var bytes = File.ReadAllBytes(path);
        bytes[at] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }

    private static List<string> Render(RecordingReader reader) =>
        reader.ReadRecords().Select(r => r is RecordedRtp rtp ? $"{rtp.ArrivalUs} {rtp.PublisherPeerId} {rtp.Kind} {Convert.ToHexString(rtp.RtpPacket)}" : r.ToString()).ToList();
}
