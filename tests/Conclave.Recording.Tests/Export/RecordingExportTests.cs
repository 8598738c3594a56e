using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;
using Conclave.Recording.Export;
using Conclave.Testing;

namespace Conclave.Recording.Tests.Export;

/// <summary>
/// The whole-recording export, from a recording the recorder itself stored: two members' media over
/// an epoch change, escrow to two keys, chat, credentials; then the files, the transcript and the
/// signed manifest, and what the export says when escrow, credentials or the directory are wrong.
/// </summary>
public sealed class RecordingExportTests : IDisposable
{
    private static readonly int VideoFrames = MediaFiles.Instance.VideoFrames.Count;
    private static readonly int AudioFrames = MediaFiles.Instance.AudioFrames.Count;

    private readonly ExportScene _scene = new();

    public void Dispose() => _scene.Dispose();

    [Fact]
    public void A_recording_exports_to_one_playable_webm_per_participant_a_verified_transcript_and_a_signed_manifest()
    {
        var recording = _scene.Record();

        var result = _scene.Export(recording, _scene.NewOutputDirectory());

        Assert.Empty(result.Problems);
        string directory = Path.GetDirectoryName(result.ManifestPath)!;
        Assert.Equal(
            ["Alice-Liddell-peer-alice.webm", "Bob-Angstrom-peer-bob.webm", "README.txt", "chat.jsonl", "manifest.json", "manifest.sig", "signing-key.pem"],
            result.Files.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string webm in new[] { "Alice-Liddell-peer-alice.webm", "Bob-Angstrom-peer-bob.webm" })
        {
            string path = Path.Combine(directory, webm);
            Assert.Equal([new ProbedStream("vp8", 640, 480, null, VideoFrames), new ProbedStream("opus", null, null, 48_000, AudioFrames)], Ffmpeg.Probe(path));
            var decoded = Ffmpeg.DecodeAll(path);
            Assert.Equal((0, ""), (decoded.ExitCode, decoded.StandardError));
        }

        var chat = File.ReadAllLines(Path.Combine(directory, "chat.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(2, chat.Count);
        Assert.Equal(("peer-alice", "Alice Liddell", 0u, 5ul, ExportScene.FirstChatText, "valid"), Line(chat[0]));
        Assert.Equal(("peer-bob", "Bob Ångström", 1u, 6ul, ExportScene.SecondChatText, "valid"), Line(chat[1]));
        Assert.Equal(1_767_225_600_000 + 1_000, chat[0].GetProperty("arrivalUnixMs").GetInt64());
        Assert.Equal(1_767_225_600_000 + 1_000, chat[0].GetProperty("sentAtMs").GetInt64());

        var manifestBytes = File.ReadAllBytes(result.ManifestPath);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(_scene.Signing.ExportSubjectPublicKeyInfo(), out _);
        Assert.True(verifier.VerifyData(manifestBytes, File.ReadAllBytes(Path.Combine(directory, "manifest.sig")), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var openssl = Ffmpeg.Run("openssl", "dgst", "-sha256", "-verify", Path.Combine(directory, "signing-key.pem"), "-signature", Path.Combine(directory, "manifest.sig"), result.ManifestPath);
        Assert.Equal((0, "Verified OK"), (openssl.ExitCode, openssl.Text.Trim()));

        var manifest = JsonDocument.Parse(manifestBytes).RootElement;
        Assert.Equal(Convert.ToHexStringLower(recording.ManifestSha256), manifest.GetProperty("recording").GetProperty("manifestSha256").GetString());
        Assert.Equal(Convert.ToBase64String(_scene.Signing.ExportSubjectPublicKeyInfo()), manifest.GetProperty("signingKey").GetProperty("spki").GetString());
        var epochs = manifest.GetProperty("epochs").EnumerateArray().ToList();
        Assert.Equal([(5ul, "escrowed"), (6ul, "escrowed")], epochs.Select(e => (e.GetProperty("epoch").GetUInt64(), e.GetProperty("escrow").GetString()!)));
        foreach (var epoch in epochs)
        {
            Assert.Equal([0u, 1u], epoch.GetProperty("sealerLeaves").EnumerateArray().Select(l => l.GetUInt32()));
            Assert.Equal(_scene.EscrowKeys.Select(k => EscrowKeyId.DisplayOf(k.SubjectPublicKeyInfo)), epoch.GetProperty("escrowKeyIds").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal(SecurityCode.Render(_scene.Epochs[epoch.GetProperty("epoch").GetUInt64()].EpochAuthenticator), epoch.GetProperty("securityCode").GetString());
            Assert.Equal(["peer-alice", "peer-bob"], epoch.GetProperty("roster").EnumerateArray().Select(r => r.GetProperty("participantId").GetString()));
        }
        Assert.All(manifest.GetProperty("escrowKeys").EnumerateArray(), key => Assert.Equal(4, key.GetProperty("blobsOpened").GetInt32()));
        var participants = manifest.GetProperty("participants").EnumerateArray().ToList();
        Assert.Equal([("peer-alice", "Alice Liddell", "host", "valid"), ("peer-bob", "Bob Ångström", "member", "valid")],
            participants.Select(p => (p.GetProperty("participantId").GetString(), p.GetProperty("displayName").GetString(), p.GetProperty("kind").GetString(), p.GetProperty("caSignature").GetString())));
        var alice = manifest.GetProperty("media")[0];
        Assert.Equal("transport: arrived on the media session the appliance issued Alice Liddell's credential to (peer-alice)", alice.GetProperty("transportBasis").GetString());
        Assert.Equal([$"kid: {VideoFrames} of {VideoFrames} frames' SFrame sender index was that participant's leaf", $"kid: {AudioFrames} of {AudioFrames} frames' SFrame sender index was that participant's leaf"],
            alice.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("kidBasis").GetString()));
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, file.GetProperty("name").GetString()!)))), file.GetProperty("sha256").GetString());
        }
        Assert.Equal(["Alice-Liddell-peer-alice.webm", "Bob-Angstrom-peer-bob.webm", "chat.jsonl", "signing-key.pem", "README.txt"],
            manifest.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }

    [Fact]
    public void An_epoch_without_escrow_is_listed_as_such_and_its_frames_are_gaps()
    {
        _scene.Escrows.RemoveAll(e => e.Epoch == ExportScene.SecondEpoch);

        var result = _scene.Export(_scene.Record(), _scene.NewOutputDirectory());

        var manifest = Manifest(result);
        Assert.Equal([(5ul, "escrowed"), (6ul, "no escrow")], manifest.GetProperty("epochs").EnumerateArray().Select(e => (e.GetProperty("epoch").GetUInt64(), e.GetProperty("escrow").GetString()!)));
        var video = manifest.GetProperty("media")[0].GetProperty("streams")[0];
        int epoch6Frames = VideoFrames - 60;
        Assert.Equal((60, epoch6Frames), (video.GetProperty("framesWritten").GetInt32(), video.GetProperty("framesUndecryptable").GetInt32()));
        Assert.Equal("no key for epoch 6", Assert.Single(video.GetProperty("gaps").EnumerateArray()).GetProperty("reason").GetString());
        Assert.Equal(60, Ffmpeg.Probe(Path.Combine(Path.GetDirectoryName(result.ManifestPath)!, "Alice-Liddell-peer-alice.webm"))[0].FramesRead);
        var lines = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(result.ManifestPath)!, "chat.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal("valid", lines[0].GetProperty("signature").GetString());
        Assert.Equal("no escrow for epoch 6", lines[1].GetProperty("undecryptable").GetString());
    }

    [Fact]
    public void A_tampered_escrow_blob_is_a_problem_naming_its_epoch_sealer_and_key_and_the_other_copies_still_open_the_epoch()
    {
        var tampered = _scene.Escrows.Single(e => e is { Epoch: ExportScene.SecondEpoch, SealerLeaf: 1, Key: 0 });
        tampered.Blob[^5] ^= 0x40;

        var result = _scene.Export(_scene.Record(), _scene.NewOutputDirectory());

        string problem = Assert.Single(result.Problems);
        Assert.StartsWith($"escrow blob for epoch 6 from leaf 1 (key {EscrowKeyId.DisplayOf(_scene.EscrowKeys[0].SubjectPublicKeyInfo)}) does not open: ", problem);
        var epoch6 = Manifest(result).GetProperty("epochs")[1];
        Assert.Equal("escrowed", epoch6.GetProperty("escrow").GetString());
        Assert.Contains(problem, Manifest(result).GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public void A_blob_sealed_to_a_key_the_export_was_not_given_is_reported_with_that_key()
    {
        using var stranger = new SoftwareHpkeRecipient();
        _scene.Escrows.Add(new SceneEscrow(ExportScene.EpochChangeUs + 60_000, ExportScene.SecondEpoch, 0, 0)
        {
            Blob = _scene.Seal(ExportScene.SecondEpoch, 0, 0, _scene.Epochs[ExportScene.SecondEpoch], stranger.SubjectPublicKeyInfo),
        });

        var result = _scene.Export(_scene.Record(), _scene.NewOutputDirectory());

        Assert.Equal($"1 escrow blob(s) (epochs 6) are sealed to escrow key {EscrowKeyId.DisplayOf(stranger.SubjectPublicKeyInfo)}, which this export was not given", Assert.Single(result.Problems));
    }

    [Fact]
    public void Copies_of_an_epoch_that_disagree_are_reported_naming_both_sealers_and_the_first_is_used()
    {
        var forged = _scene.Epochs[ExportScene.SecondEpoch] with { EpochAuthenticator = RandomNumberGenerator.GetBytes(32) };
        foreach (var escrow in _scene.Escrows.Where(e => e is { Epoch: ExportScene.SecondEpoch, SealerLeaf: 1 })) escrow.Blob = _scene.Seal(escrow.Epoch, 1, escrow.Key, forged);

        var result = _scene.Export(_scene.Record(), _scene.NewOutputDirectory());

        string aliceKey = EscrowKeyId.DisplayOf(_scene.EscrowKeys[0].SubjectPublicKeyInfo);
        Assert.Equal(2, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.StartsWith($"escrow copies of epoch 6 disagree: leaf 0's (key {aliceKey}) and leaf 1's", p));
        Assert.All(result.Problems, p => Assert.EndsWith("differ in epoch authenticator; leaf 0's is used", p));
        var epoch6 = Manifest(result).GetProperty("epochs")[1];
        Assert.Equal(SecurityCode.Render(_scene.Epochs[ExportScene.SecondEpoch].EpochAuthenticator), epoch6.GetProperty("securityCode").GetString());
        Assert.Equal([0u], epoch6.GetProperty("sealerLeaves").EnumerateArray().Select(l => l.GetUInt32()));
    }

    [Fact]
    public void A_participant_credential_with_a_bad_ca_signature_is_flagged()
    {
        using var impostorCa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _scene.ParticipantCredentials[_scene.Bob.PeerId] = TestMember.Issue(impostorCa, ExportScene.MeetingId, _scene.Bob.PeerId, "account:101", _scene.Bob.DisplayName, 2, SHA256.HashData(_scene.Bob.SignaturePoint));

        var result = _scene.Export(_scene.Record(), _scene.NewOutputDirectory());

        Assert.Equal("the credential recorded for peer-bob (Bob Ångström) does not verify with the credential CA key", Assert.Single(result.Problems));
        var bob = Manifest(result).GetProperty("participants")[1];
        Assert.Equal(("peer-bob", "invalid"), (bob.GetProperty("participantId").GetString(), bob.GetProperty("caSignature").GetString()));
        Assert.Equal("transport: arrived on the media session the appliance issued Bob Ångström's credential to (peer-bob)", Manifest(result).GetProperty("media")[1].GetProperty("transportBasis").GetString());
    }

    [Fact]
    public void Media_sent_under_another_members_kid_is_counted_not_written_and_reported()
    {
        // Bob's session carries frames sealed with Alice's leaf in the KID.
        using var mislabelled = new RecordedParticipant(
            videoEpoch: _ => ExportScene.FirstEpoch, audioEpoch: _ => ExportScene.FirstEpoch,
            escrow: new TestEscrow(_scene.Alice.Leaf, epoch => _scene.Epochs[epoch].SFrameEpochSecret));
        _scene.BobMedia.Video = mislabelled.Video.Where(p => p.Frame < 30).ToList();
        _scene.BobMedia.Audio = [];

        var result = _scene.Export(_scene.Record(), _scene.NewOutputDirectory());

        Assert.Equal(["30 video frame(s) of peer-bob (SSRC 11112222) carry another member's KID and were not written", "no media file for peer-bob: no frame of this participant could be written (see the streams' gaps)"], result.Problems);
        var bob = Manifest(result).GetProperty("media")[1];
        Assert.False(bob.TryGetProperty("file", out _));
        Assert.Equal("kid: 0 of 30 frames' SFrame sender index was that participant's leaf", bob.GetProperty("streams")[0].GetProperty("kidBasis").GetString());
    }

    [Fact]
    public void An_interrupted_export_resumes_skipping_the_files_it_completed_and_redoing_one_that_changed()
    {
        var recording = _scene.Record();
        string output = _scene.NewOutputDirectory();
        using (var cancel = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(p => { if (p.Stage == "media peer-bob") cancel.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => _scene.Export(recording, output, progress, cancel.Token));
        }
        string alice = Path.Combine(output, "Alice-Liddell-peer-alice.webm"), bob = Path.Combine(output, "Bob-Angstrom-peer-bob.webm");
        Assert.True(File.Exists(alice));
        Assert.False(File.Exists(bob));
        Assert.False(File.Exists(Path.Combine(output, "manifest.json")));
        var aliceWritten = File.GetLastWriteTimeUtc(alice);
        Thread.Sleep(20);

        var resumed = _scene.Export(recording, output);

        Assert.Equal(aliceWritten, File.GetLastWriteTimeUtc(alice));
        Assert.Equal(VideoFrames, Ffmpeg.Probe(bob)[0].FramesRead);
        Assert.Empty(resumed.Problems);
        Assert.Equal(VideoFrames, Manifest(resumed).GetProperty("media")[0].GetProperty("streams")[0].GetProperty("framesWritten").GetInt32());

        File.AppendAllText(alice, "x");
        _scene.Export(recording, output);

        Assert.NotEqual(aliceWritten, File.GetLastWriteTimeUtc(alice));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(alice))), Manifest(resumed).GetProperty("files")[0].GetProperty("sha256").GetString());
    }

    [Fact]
    public void A_directory_with_files_the_export_did_not_write_or_an_export_of_another_recording_or_keys_is_refused()
    {
        var recording = _scene.Record();
        string foreign = _scene.NewOutputDirectory();
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine");

        var refused = Assert.Throws<RecordingExportException>(() => _scene.Export(recording, foreign));

        Assert.Contains("holds files this export did not write (notes.txt)", refused.Message);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(foreign).Select(Path.GetFileName));

        string exported = _scene.NewOutputDirectory();
        _scene.Export(recording, exported);
        using var other = new ExportScene();
        var otherRecording = other.Record();
        var mixed = Assert.Throws<RecordingExportException>(() => other.Export(otherRecording, exported));
        Assert.Contains($"holds the export of recording {Convert.ToHexStringLower(_scene.RecordingId)}", mixed.Message);
        var otherKeys = Assert.Throws<RecordingExportException>(() => _scene.Export(recording, exported, keys: [_scene.EscrowKeys[0]]));
        Assert.Contains("begun with other escrow keys", otherKeys.Message);
    }

    private static (string?, string?, uint, ulong, string?, string?) Line(JsonElement line) => (
        line.GetProperty("participantId").GetString(), line.GetProperty("displayName").GetString(), line.GetProperty("leaf").GetUInt32(),
        line.GetProperty("epoch").GetUInt64(), line.GetProperty("text").GetString(), line.GetProperty("signature").GetString());

    private static JsonElement Manifest(ExportResult result) => JsonDocument.Parse(File.ReadAllBytes(result.ManifestPath)).RootElement;

    /// <summary>Progress reported on the exporting thread itself (Progress&lt;T&gt; would post it elsewhere).</summary>
    private sealed class SynchronousProgress(Action<ExportProgress> report) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => report(value);
    }
}
