using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Conclave.Crypto.SFrame;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>A Data record as the first pass found it, with the group generation in force when it arrived.</summary>
internal sealed record StoredChat(ulong ArrivalUs, int Generation, string PublisherPeerId, ulong Epoch, byte[] Ciphertext);

/// <summary>
/// Opens recorded chat as members' browsers do (client/src/e2ee/chat.ts): an SFrame envelope whose
/// KID has the chat context (4), keyed by <c>SFrameKey.FromBaseKey(data_key, KID)</c> with the group
/// id as metadata, around <c>sentAtMs u64 ‖ signature length u16 ‖ signature ‖ UTF-8 text</c>.
/// The signature is the sender leaf's SignWithLabel("Conclave chat v1", group id ‖ epoch u64 ‖
/// leaf u32 ‖ sentAtMs u64 ‖ text) (RFC 9420 §5.1.2), ECDSA P-256/SHA-256 in DER, checked with
/// the leaf's signature key from the escrowed roster.
/// </summary>
internal static class ChatTranscript
{
    public const string FileName = "chat.jsonl";
    public const string Valid = "valid", Invalid = "invalid";

    /// <summary>RFC 9420 §5.1.2: the label signed is "MLS 1.0 " ‖ Label.</summary>
    private static ReadOnlySpan<byte> SignatureLabel => "MLS 1.0 Conclave chat v1"u8;

    private const int FixedPlaintextBytes = 8 + 2;
    private const int EpochLowBitsMask = (1 << MlsKeyIdLayout.DefaultEpochBits) - 1;

    /// <summary>Writes every line, in arrival order, one JSON object each.</summary>
    public static ChatFacts Write(IReadOnlyList<StoredChat> chats, EpochTimeline timeline, long startedUnixMs, Stream output, IProgress<ExportProgress>? progress, CancellationToken cancel)
    {
        int valid = 0, invalid = 0, undecryptable = 0;
        for (int i = 0; i < chats.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var line = Open(chats[i], timeline, startedUnixMs);
            if (line.Signature == Valid) valid++;
            else if (line.Signature == Invalid) invalid++;
            else undecryptable++;
            JsonSerializer.Serialize(output, line, ExportJsonContext.Compact.ChatLine);
            output.WriteByte((byte)'\n');
            progress?.Report(new ExportProgress(RecordingExport.ChatStage, i + 1, chats.Count));
        }
        return new ChatFacts(FileName, chats.Count, valid, invalid, undecryptable);
    }

    public static ChatLine Open(StoredChat chat, EpochTimeline timeline, long startedUnixMs)
    {
        var line = new ChatLine(startedUnixMs + (long)(chat.ArrivalUs / 1000), chat.Generation, chat.Epoch, chat.PublisherPeerId, null, null, null, null, null, null, null);
        var entry = timeline.Named(chat.Generation, chat.Epoch);
        if (entry?.Escrowed is not { } escrowed) return line with { Undecryptable = $"no escrow for epoch {chat.Epoch}" };
        if (escrowed.DataKey.Length == 0) return line with { Undecryptable = $"the chat key of epoch {chat.Epoch} was not escrowed (the recording's scope was media only)" };
        if (!SFrameHeader.TryRead(chat.Ciphertext, out var header)) return line with { Undecryptable = "not an SFrame ciphertext" };
        var kid = entry.Layout.Parse(header.Kid);
        if (kid.EpochLowBits != (chat.Epoch & EpochLowBitsMask)) return line with { Undecryptable = $"its KID names epoch bits {kid.EpochLowBits}, not epoch {chat.Epoch}'s" };
        if (kid.Context != (ulong)SFrameStreamContext.Chat) return line with { Undecryptable = $"its KID has context {kid.Context}, not chat's" };

        byte[]? plaintext;
        using (var key = SFrameKey.FromBaseKey(escrowed.DataKey, header.Kid)) plaintext = key.Open(chat.Ciphertext, escrowed.GroupId);
        if (plaintext is null) return line with { Undecryptable = "it does not authenticate under the epoch's chat key" };
        if (plaintext.Length < FixedPlaintextBytes || plaintext.Length < FixedPlaintextBytes + BinaryPrimitives.ReadUInt16BigEndian(plaintext.AsSpan(8)))
        {
            return line with { Undecryptable = "it opens to something that is not a signed chat line" };
        }
        ulong sentAtMs = BinaryPrimitives.ReadUInt64BigEndian(plaintext);
        int signatureLength = BinaryPrimitives.ReadUInt16BigEndian(plaintext.AsSpan(8));
        var signature = plaintext.AsSpan(FixedPlaintextBytes, signatureLength);
        var text = plaintext.AsSpan(FixedPlaintextBytes + signatureLength);

        var signatureKey = SignatureKeyOf(escrowed.Roster, kid.SenderIndex);
        bool verified = signatureKey is not null && Verify(signatureKey, SignContent(escrowed.GroupId, chat.Epoch, kid.SenderIndex, sentAtMs, text), signature);
        entry.Members.TryGetValue(kid.SenderIndex, out var member);
        return line with
        {
            SentAtMs = (long)sentAtMs,
            Leaf = kid.SenderIndex,
            ParticipantId = member?.Credential.ParticipantId,
            DisplayName = member?.Credential.DisplayName,
            // Decoded as the browser decodes it (TextDecoder, not fatal: a malformed sequence becomes U+FFFD), but whole: not cut at the 4,000 characters it shows.
            Text = Encoding.UTF8.GetString(text),
            Signature = verified ? Valid : Invalid,
        };
    }

    private static byte[]? SignatureKeyOf(IReadOnlyList<Crypto.Escrow.RosterEntry> roster, uint leaf)
    {
        foreach (var entry in roster)
        {
            if (entry.Leaf == leaf) return entry.SignatureKey;
        }
        return null;
    }

    /// <summary>RFC 9420 §5.1.2 SignContent: <c>opaque label&lt;V&gt; ‖ opaque content&lt;V&gt;</c>, content as chat.ts signs it.</summary>
    private static byte[] SignContent(byte[] groupId, ulong epoch, uint leaf, ulong sentAtMs, ReadOnlySpan<byte> text)
    {
        int contentLength = groupId.Length + 8 + 4 + 8 + text.Length;
        var signContent = new byte[2 * MlsVector.MaxPrefixBytes + SignatureLabel.Length + contentLength];
        int offset = MlsVector.WriteLength(signContent, SignatureLabel.Length);
        SignatureLabel.CopyTo(signContent.AsSpan(offset));
        offset += SignatureLabel.Length;
        offset += MlsVector.WriteLength(signContent.AsSpan(offset), contentLength);
        groupId.CopyTo(signContent.AsSpan(offset));
        offset += groupId.Length;
        BinaryPrimitives.WriteUInt64BigEndian(signContent.AsSpan(offset), epoch);
        BinaryPrimitives.WriteUInt32BigEndian(signContent.AsSpan(offset + 8), leaf);
        BinaryPrimitives.WriteUInt64BigEndian(signContent.AsSpan(offset + 12), sentAtMs);
        text.CopyTo(signContent.AsSpan(offset + 20));
        return signContent[..(offset + 20 + text.Length)];
    }

    /// <summary>ECDSA P-256/SHA-256 with a DER signature, as ts-mls signs (@noble/curves, prehashed, high S allowed).</summary>
    private static bool Verify(byte[] uncompressedPoint, byte[] signed, ReadOnlySpan<byte> signature)
    {
        if (uncompressedPoint.Length != 65 || uncompressedPoint[0] != 0x04) return false;
        try
        {
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = uncompressedPoint[1..33], Y = uncompressedPoint[33..] },
            });
            return key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            // Not a point on the curve: no signature verifies with it.
            return false;
        }
    }
}
