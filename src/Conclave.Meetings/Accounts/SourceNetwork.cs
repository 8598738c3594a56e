using System.Net;

namespace Conclave.Meetings.Accounts;

/// <summary>
/// The network a request comes from, as every per-source limit groups sources (login pacing
/// and throttling, signalling's sockets per source): an IPv4 address on its
/// own (/32), an IPv6 address by its /64 prefix, since one subscriber or host is usually
/// handed a whole /64 (RFC 4291 §2.5.1 fixes 64-bit interface identifiers for unicast
/// addresses; RFC 6177 advises assigning sites more than one /64). An IPv4-mapped IPv6
/// address (RFC 4291 §2.5.5.2) counts as the IPv4 address it carries.
/// </summary>
public static class SourceNetwork
{
    private const int Ipv6PrefixBytes = 8;

    /// <summary>"192.0.2.10", "2001:db8:1:2::/64", or a source that is no address, cut to a user name's length.</summary>
    public static string Of(string source)
    {
        if (!IPAddress.TryParse(source, out var address)) return source.Length <= Validation.MaxUserNameLength ? source : source[..Validation.MaxUserNameLength];
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        // Four bytes are an IPv4 address, sixteen an IPv6 one.
        if (!address.TryWriteBytes(bytes, out int length) || length != bytes.Length) return address.ToString();
        bytes[Ipv6PrefixBytes..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }
}
