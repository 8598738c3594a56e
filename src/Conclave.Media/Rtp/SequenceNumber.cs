namespace Conclave.Media.Rtp;

/// <summary>16-bit RTP sequence arithmetic (RFC 3550 §A.1): one helper for every wrap.</summary>
public static class SequenceNumber
{
    /// <summary>True when <paramref name="a"/> comes after <paramref name="b"/>, across the 0xFFFF→0 wrap.</summary>
    public static bool IsNewer(ushort a, ushort b) => (short)(a - b) > 0;

    /// <summary>Steps from <paramref name="from"/> to <paramref name="to"/>, negative when <paramref name="to"/> is older.</summary>
    public static int Distance(ushort from, ushort to) => (short)(to - from);

    /// <summary>The sequence number <paramref name="steps"/> after <paramref name="sequence"/>, wrapping past 0xFFFF to 0.</summary>
    public static ushort Add(ushort sequence, int steps) => (ushort)(sequence + steps);
}
