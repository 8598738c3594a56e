using Conclave.Fuzz.Targets;

namespace Conclave.Fuzz;

/// <summary>Every target by the name scripts/fuzz.sh and the corpus directories use.</summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<ReadOnlySpan<byte>>> All { get; } = new Dictionary<string, Action<ReadOnlySpan<byte>>>(StringComparer.Ordinal)
    {
        ["stun"] = StunTarget.Run,
        ["dtls"] = DtlsTarget.Run,
        ["rtp"] = RtpTarget.Run,
        ["rtcp"] = RtcpTarget.Run,
        ["sdp"] = SdpTarget.Run,
        ["signalling"] = SignallingTarget.Run,
        ["srtp"] = SrtpTarget.Run,
    };

    /// <summary>Runs one target on one input; whatever it parses, the input is only read.</summary>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        var before = input.ToArray();
        All[target](input);
        Invariant.Holds(input.SequenceEqual(before), "a target changed its input");
    }
}
