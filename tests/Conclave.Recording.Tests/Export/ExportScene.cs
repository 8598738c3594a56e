using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;
using Conclave.Crypto.SFrame;
using Conclave.Media.Sdp;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;
using Conclave.Recording.Tests.Recorder;

namespace Conclave.Recording.Tests.Export;

/// <summary>One escrow blob the scene's members send: which epoch, sealer and escrow key, and when it arrives.</summary>
internal sealed record SceneEscrow(ulong AtUs, ulong Epoch, uint SealerLeaf, int Key)
{
    public required byte[] Blob { get; set; }
}

/// <summary>
/// A real recording of a meeting, made by the recorder itself (RecordingTap over a fake clock, a
/// software storage KEK), of what a two-member MLS group sends: Alice (leaf 0, the host) and Bob
/// (leaf 1) each publish 4 s of ffmpeg's VP8 and Opus, SFrame-sealed under their leaf's KIDs in
/// epoch 5 and, from 2 s on, epoch 6 (the Epoch records arrive then); each epoch's keys are
/// escrowed by both leaves to two escrow keys; each says one chat line per epoch; their
/// credentials are signed by a test CA. Tests change <see cref="Escrows"/>, the credentials or the
/// chat before <see cref="Record"/>, then export.
/// </summary>
internal sealed class ExportScene : IDisposable
{
    public const string MeetingId = "kX3v9QmZ_b7T";
    public const ulong FirstEpoch = 5, SecondEpoch = 6;
    public const ulong EpochChangeUs = 2_000_000;
    public const ulong FirstChatUs = 1_000_000, SecondChatUs = 3_000_000;
    public const string FirstChatText = "Good morning — can everyone hear me?", SecondChatText = "Loud and clear, Alice.";

    private readonly List<(ulong AtUs, string Peer, byte[] Ciphertext, ulong Epoch)> _chats = [];
    private int _exports;

    public ExportScene()
    {
        Alice = new TestMember("peer-alice", "Alice Liddell", 0, 1, MeetingId, Ca);
        Bob = new TestMember("peer-bob", "Bob Ångström", 1, 2, MeetingId, Ca);
        var groupId = RandomNumberGenerator.GetBytes(16);
        foreach (ulong epoch in new[] { FirstEpoch, SecondEpoch })
        {
            Epochs[epoch] = new EscrowedEpoch(RecordingId, groupId, epoch, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(32), 2,
                [new RosterEntry(Alice.Leaf, Alice.Credential, Alice.SignaturePoint), new RosterEntry(Bob.Leaf, Bob.Credential, Bob.SignaturePoint)]);
        }
        AliceMedia = Publish(Alice);
        BobMedia = Publish(Bob);
        foreach (var (epoch, at) in new[] { (FirstEpoch, 50_000UL), (SecondEpoch, EpochChangeUs + 50_000) })
        {
            foreach (var sealer in new[] { Alice, Bob })
            {
                for (int key = 0; key < EscrowKeys.Length; key++)
                {
                    Escrows.Add(new SceneEscrow(at + sealer.Leaf * 1_000 + (ulong)key * 100, epoch, sealer.Leaf, key) { Blob = Seal(epoch, sealer.Leaf, key, Epochs[epoch]) });
                }
            }
        }
        Chat(FirstChatUs, Alice, FirstEpoch, FirstChatText);
        Chat(SecondChatUs, Bob, SecondEpoch, SecondChatText);
    }

    public RecorderScene Recorder { get; } = new();
    public byte[] RecordingId { get; } = RecorderScene.NewRecordingId();
    public ECDsa Ca { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public ECDsa Signing { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public SoftwareHpkeRecipient[] EscrowKeys { get; } = [new(), new()];
    public TestMember Alice { get; }
    public TestMember Bob { get; }
    public Dictionary<ulong, EscrowedEpoch> Epochs { get; } = [];
    public RecordedParticipant AliceMedia { get; }
    public RecordedParticipant BobMedia { get; }
    public List<SceneEscrow> Escrows { get; } = [];

    /// <summary>The credential each peer's Participant record carries (the roster keeps the member's own).</summary>
    public Dictionary<string, byte[]> ParticipantCredentials { get; } = [];

    public static ulong AudioCaptureUs(int frame) => (ulong)frame * 20_000;

    /// <summary>The blob a member's browser sends: <paramref name="content"/> sealed to escrow key <paramref name="key"/>.</summary>
    public byte[] Seal(ulong epoch, uint sealerLeaf, int key, EscrowedEpoch content, byte[]? escrowSpki = null) =>
        EscrowSealer.Seal(escrowSpki ?? EscrowKeys[key].SubjectPublicKeyInfo, RecordingId, epoch, sealerLeaf, content).Write();

    /// <summary>Records the meeting through the recorder and opens what it stored.</summary>
    public RecordingReader Record()
    {
        var events = new List<(ulong AtUs, Action<RecordingTap> Append)>
        {
            (0, tap => tap.AppendEpoch(RecorderScene.Room, FirstEpoch)),
            (EpochChangeUs, tap => tap.AppendEpoch(RecorderScene.Room, SecondEpoch)),
        };
        foreach (var member in new[] { Alice, Bob })
        {
            var credential = ParticipantCredentials.GetValueOrDefault(member.PeerId) ?? member.Credential;
            events.Add((1_000, tap => tap.AppendParticipant(RecorderScene.Room, member.PeerId, credential)));
        }
        foreach (var escrow in Escrows) events.Add((escrow.AtUs, tap => tap.AppendEscrow(RecorderScene.Room, escrow.Blob)));
        foreach (var (at, peer, ciphertext, epoch) in _chats) events.Add((at, tap => tap.AppendData(RecorderScene.Room, peer, epoch, ciphertext)));
        foreach (var (member, media) in new[] { (Alice, AliceMedia), (Bob, BobMedia) })
        {
            foreach (var packet in media.Video) events.Add((packet.ArrivalMicroseconds, tap => tap.OnForward(RecorderScene.Room, member.PeerId, MediaKind.Video, packet.Bytes)));
            foreach (var packet in media.Audio) events.Add((packet.ArrivalMicroseconds, tap => tap.OnForward(RecorderScene.Room, member.PeerId, MediaKind.Audio, packet.Bytes)));
            foreach (var report in media.SenderReports) events.Add((report.ArrivalUs, tap => tap.OnSenderReport(RecorderScene.Room, member.PeerId, report.Ssrc, report.NtpTimestamp, report.RtpTimestamp)));
        }
        // Stable: records of one instant keep the order above (the epoch before its escrow, the credential before the media).
        var ordered = events.Select((e, i) => (e.AtUs, i, e.Append)).OrderBy(e => e.AtUs).ThenBy(e => e.i).ToList();

        Recorder.Tap.Start(RecorderScene.Room, RecordingId, MeetingId);
        ulong now = 0;
        foreach (var (at, _, append) in ordered)
        {
            Recorder.Clock.Advance(TimeSpan.FromTicks((long)(at - now) * 10));
            now = at;
            append(Recorder.Tap);
        }
        Recorder.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop).GetAwaiter().GetResult();
        return Recorder.Read(RecordingId);
    }

    /// <summary>A fresh output directory (not yet created) of the test's own.</summary>
    public string NewOutputDirectory() => Path.Combine(Recorder.Scratch("exports"), $"export-{++_exports}");

    public ExportResult Export(RecordingReader recording, string outputDirectory, IProgress<ExportProgress>? progress = null, CancellationToken cancel = default, SoftwareHpkeRecipient[]? keys = null) =>
        RecordingExport.Run(new ExportRequest(
            recording,
            (keys ?? EscrowKeys).Select(key => new DelegatedHpkeRecipient(key.SubjectPublicKeyInfo, key.DeriveSharedSecret)).ToList(),
            Ca.ExportSubjectPublicKeyInfo(),
            outputDirectory,
            manifest => Signing.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            Signing.ExportSubjectPublicKeyInfo()), progress, cancel);

    /// <summary>
    /// A chat line as client/src/e2ee/chat.ts seals it: SFrame under the epoch's data key with the
    /// chat KID of the sender's leaf, the group id as metadata, around sentAtMs ‖ signature length ‖
    /// signature ‖ text, the signature SignWithLabel("Conclave chat v1", …) in DER.
    /// </summary>
    public static byte[] SealChat(EscrowedEpoch epoch, TestMember sender, ulong ctr, ulong sentAtMs, string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        var content = new byte[epoch.GroupId.Length + 20 + body.Length];
        epoch.GroupId.CopyTo(content, 0);
        BinaryPrimitives.WriteUInt64BigEndian(content.AsSpan(epoch.GroupId.Length), epoch.Epoch);
        BinaryPrimitives.WriteUInt32BigEndian(content.AsSpan(epoch.GroupId.Length + 8), sender.Leaf);
        BinaryPrimitives.WriteUInt64BigEndian(content.AsSpan(epoch.GroupId.Length + 12), sentAtMs);
        body.CopyTo(content, epoch.GroupId.Length + 20);
        var signContent = new List<byte>();
        foreach (var part in new[] { "MLS 1.0 Conclave chat v1"u8.ToArray(), content })
        {
            var prefix = new byte[MlsVector.MaxPrefixBytes];
            signContent.AddRange(prefix[..MlsVector.WriteLength(prefix, part.Length)]);
            signContent.AddRange(part);
        }
        var signature = sender.SignatureKey.SignData([.. signContent], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var plaintext = new byte[10 + signature.Length + body.Length];
        BinaryPrimitives.WriteUInt64BigEndian(plaintext, sentAtMs);
        BinaryPrimitives.WriteUInt16BigEndian(plaintext.AsSpan(8), (ushort)signature.Length);
        signature.CopyTo(plaintext, 10);
        body.CopyTo(plaintext, 10 + signature.Length);
        ulong kid = MlsKeyIdLayout.ForLeafCount(epoch.LeafCount).KeyId((ulong)SFrameStreamContext.Chat, sender.Leaf, epoch.Epoch);
        using var key = SFrameKey.FromBaseKey(epoch.DataKey, kid);
        var sealedLine = new byte[key.SealedLength(ctr, plaintext.Length)];
        return sealedLine[..key.Seal(ctr, epoch.GroupId, plaintext, sealedLine)];
    }

    public void Dispose()
    {
        AliceMedia.Dispose();
        BobMedia.Dispose();
        foreach (var key in EscrowKeys) key.Dispose();
        Alice.Dispose();
        Bob.Dispose();
        Ca.Dispose();
        Signing.Dispose();
        Recorder.Dispose();
    }

    private void Chat(ulong atUs, TestMember sender, ulong epoch, string text) =>
        _chats.Add((atUs, sender.PeerId, SealChat(Epochs[epoch], sender, 0, 1_767_225_600_000 + atUs / 1000, text), epoch));

    private RecordedParticipant Publish(TestMember member)
    {
        var participant = new RecordedParticipant(
            videoEpoch: frame => RecordedParticipant.VideoCaptureMicroseconds(frame) >= EpochChangeUs ? SecondEpoch : FirstEpoch,
            audioEpoch: frame => AudioCaptureUs(frame) >= EpochChangeUs ? SecondEpoch : FirstEpoch,
            escrow: new TestEscrow(member.Leaf, epoch => Epochs[epoch].SFrameEpochSecret));
        participant.AddSenderReports(ntpSeconds: 3_900_000_000);
        return participant;
    }
}
