using System.Security.Cryptography;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;
using Conclave.Testing;

namespace Conclave.Recording.Tests.Recorder;

public sealed class RecordingTapTests
{
    [Fact]
    public async Task Every_record_type_is_stored_sealed_under_the_token_kek_and_read_back_as_appended()
    {
        using var scene = new RecorderScene(new TokenKeyWrapper(DevelopmentTokenState.Token));
        var recordingId = RecorderScene.NewRecordingId();
        var recording = scene.Tap.Start(RecorderScene.Room, recordingId, "meeting-42");
        var escrow = RandomNumberGenerator.GetBytes(300);
        var shortCredential = RandomNumberGenerator.GetBytes(40);     // 1-byte vector length
        var credential = RandomNumberGenerator.GetBytes(600);         // 2-byte vector length
        var longCredential = RandomNumberGenerator.GetBytes(20_000);  // 4-byte vector length
        var chat = RandomNumberGenerator.GetBytes(77);

        scene.Tap.AppendEpoch(RecorderScene.Room, 7);
        scene.Clock.Advance(TimeSpan.FromMilliseconds(1));
        scene.Tap.AppendParticipant(RecorderScene.Room, RecorderScene.Alice, shortCredential);
        scene.Tap.AppendParticipant(RecorderScene.Room, "peer-bob", credential);
        scene.Tap.AppendParticipant(RecorderScene.Room, "peer-ünïcode", longCredential);
        scene.Tap.AppendEscrow(RecorderScene.Room, escrow);
        scene.Clock.Advance(TimeSpan.FromMilliseconds(5));
        scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(1));
        scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Audio, RecorderScene.Rtp(2, length: 80));
        scene.Tap.OnSenderReport(RecorderScene.Room, RecorderScene.Alice, 0x1234_5678, 0xE000_0000_8000_0000, 90_000);
        scene.Clock.Advance(TimeSpan.FromMilliseconds(3));
        scene.Tap.AppendData(RecorderScene.Room, "peer-bob", 7, chat);
        var manifest = await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);

        var reader = scene.Read(recordingId);
        var records = reader.ReadRecords().ToList();
        Assert.Equal(9, records.Count);
        Assert.Equal(new RecordedEpoch(0, 7), records[0]);
        AssertParticipant(records[1], 1_000, RecorderScene.Alice, shortCredential);
        AssertParticipant(records[2], 1_000, "peer-bob", credential);
        AssertParticipant(records[3], 1_000, "peer-ünïcode", longCredential);
        var storedEscrow = Assert.IsType<RecordedEscrow>(records[4]);
        Assert.Equal(escrow, storedEscrow.EscrowBlob);
        var video = Assert.IsType<RecordedRtp>(records[5]);
        Assert.Equal((6_000UL, RecorderScene.Alice, MediaKind.Video), (video.ArrivalUs, video.PublisherPeerId, video.Kind));
        Assert.Equal(RecorderScene.Rtp(1), video.RtpPacket);
        var audio = Assert.IsType<RecordedRtp>(records[6]);
        Assert.Equal(MediaKind.Audio, audio.Kind);
        Assert.Equal(RecorderScene.Rtp(2, length: 80), audio.RtpPacket);
        Assert.Equal(new RecordedSenderReport(6_000, RecorderScene.Alice, 0x1234_5678, 0xE000_0000_8000_0000, 90_000), records[7]);
        var data = Assert.IsType<RecordedData>(records[8]);
        Assert.Equal((9_000UL, "peer-bob", 7UL), (data.ArrivalUs, data.PublisherPeerId, data.Epoch));
        Assert.Equal(chat, data.Ciphertext);

        Assert.Equal(EndedBy.Stop, manifest.EndedBy);
        Assert.Equal("meeting-42", manifest.MeetingId);
        Assert.Equal(Convert.ToHexStringLower(recordingId), manifest.RecordingId);
        Assert.Equal(recording.StartedUnixMs, manifest.StartedUnixMs);
        Assert.Equal(manifest.StartedUnixMs + 9, manifest.StoppedUnixMs);
        Assert.Equal(0, manifest.DroppedRecords);
        var segment = Assert.Single(manifest.Segments);
        Assert.Equal(("segment-000001.cnsl", 9, 0UL, 9_000UL), (segment.Name, segment.Records, segment.FirstArrivalUs, segment.LastArrivalUs));
        Assert.Equal(manifest.Sha256(), reader.ManifestSha256);
        Assert.Null(scene.Tap.Status(RecorderScene.Room));
    }

    private static void AssertParticipant(RecordedRecord record, ulong arrivalUs, string publisher, byte[] credential)
    {
        var participant = Assert.IsType<RecordedParticipant>(record);
        Assert.Equal((arrivalUs, publisher), (participant.ArrivalUs, participant.PublisherPeerId));
        Assert.Equal(credential, participant.Credential);
    }
}
