namespace Conclave.Crypto.SFrame;

/// <summary>
/// The KID of an MLS sender (RFC 9605 §5.2): <c>context ‖ sender index (S bits) ‖ epoch mod 2^E</c>,
/// i.e. <c>KID = context &lt;&lt; (S + E) | sender_index &lt;&lt; E | epoch mod 2^E</c>.
/// <para>
/// §5.2 gives every member of an epoch the same <c>base_key</c>, the epoch's
/// <c>sframe_epoch_secret</c> (<c>MLS-Exporter("SFrame 1.0 Base Key", "", 16)</c>), and sets the
/// senders and their streams apart by the KID, which §4.4.2 mixes into the key and the salt. A
/// member's key for one stream of one epoch is therefore
/// <c>SFrameKey.FromBaseKey(sframeEpochSecret, layout.KeyId(context, senderIndex, epoch))</c>.
/// </para>
/// </summary>
public readonly record struct MlsKeyIdLayout
{
    /// <summary>E: the KID carries the epoch's low 8 bits, enough for the epochs kept at once.</summary>
    public const int DefaultEpochBits = 8;

    public MlsKeyIdLayout(int senderBits, int epochBits = DefaultEpochBits)
    {
        // MLS leaf indices are 32-bit (RFC 9420 §7.8); at least one context bit stays.
        ArgumentOutOfRangeException.ThrowIfLessThan(senderBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(senderBits, 32);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epochBits, 63 - senderBits);
        SenderBits = senderBits;
        EpochBits = epochBits;
    }

    /// <summary>S.</summary>
    public int SenderBits { get; }

    /// <summary>E.</summary>
    public int EpochBits { get; }

    /// <summary>The bits left above the sender index for the context.</summary>
    public int ContextBits => 64 - SenderBits - EpochBits;

    /// <summary>The layout for a ratchet tree of <paramref name="leafCount"/> leaves, E = 8.</summary>
    public static MlsKeyIdLayout ForLeafCount(long leafCount) => new(SenderBitsForLeafCount(leafCount));

    /// <summary>
    /// S: the smallest S ≥ 1 with 2^S ≥ <paramref name="leafCount"/>, counting blank leaves too, so
    /// every leaf index of the tree fits (§5.2: the smallest S with group_size ≤ 2^S).
    /// </summary>
    public static int SenderBitsForLeafCount(long leafCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(leafCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(leafCount, 1L << 32);
        int bits = 1;
        while (1L << bits < leafCount) bits++;
        return bits;
    }

    public ulong KeyId(ulong context, uint senderIndex, ulong epoch)
    {
        if (context >> ContextBits != 0) throw new ArgumentOutOfRangeException(nameof(context), context, $"a context needs at most {ContextBits} bits in this layout");
        // A shift by 32 of a uint is a shift by 0, so a 32-bit S needs no check.
        if (SenderBits < 32 && senderIndex >> SenderBits != 0) throw new ArgumentOutOfRangeException(nameof(senderIndex), senderIndex, $"a sender index needs at most {SenderBits} bits in this layout");
        return context << (SenderBits + EpochBits) | (ulong)senderIndex << EpochBits | epoch & EpochMask;
    }

    public MlsKeyId Parse(ulong kid) =>
        new(kid >> (SenderBits + EpochBits), (uint)(kid >> EpochBits & ((1UL << SenderBits) - 1)), kid & EpochMask);

    private ulong EpochMask => (1UL << EpochBits) - 1;
}

/// <summary>The fields of an MLS sender's KID (RFC 9605 §5.2); the epoch only by its low E bits.</summary>
public readonly record struct MlsKeyId(ulong Context, uint SenderIndex, ulong EpochLowBits);
