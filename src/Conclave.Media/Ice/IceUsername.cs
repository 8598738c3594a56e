using Conclave.Media.Stun;

namespace Conclave.Media.Ice;

/// <summary>USERNAME of a connectivity check: "LFRAG:RFRAG", the receiver's ufrag first (RFC 8445 §7.2.2).</summary>
public static class IceUsername
{
    /// <summary>Our ufrag out of a Binding request, to find its session before its address is known.</summary>
    public static bool TryGetLocalUfrag(StunMessage bindingRequest, out ReadOnlySpan<byte> localUfrag)
    {
        localUfrag = default;
        if (!bindingRequest.TryGetAttribute(StunAttributeType.Username, out var username)) return false;
        return TrySplit(username, out localUfrag, out _);
    }

    internal static bool TrySplit(ReadOnlySpan<byte> username, out ReadOnlySpan<byte> local, out ReadOnlySpan<byte> remote)
    {
        int colon = username.IndexOf((byte)':');
        if (colon <= 0)
        {
            local = remote = default;
            return false;
        }
        local = username[..colon];
        remote = username[(colon + 1)..];
        return true;
    }
}
