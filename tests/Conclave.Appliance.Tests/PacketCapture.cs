using System.Net;

namespace Conclave.Appliance.Tests;

/// <summary>
/// What the guest's network card carried during the boot test (qemu's filter-dump pcap), read
/// with tshark, every frame the guest sent sorted by where it went (docs/air-gap.md). In qemu's
/// user network the host is 10.0.2.2 (it is also the DHCP server, and every forwarded
/// connection arrives from it), the guest 10.0.2.15, the IPv6 router fe80::2.
/// </summary>
public sealed record PacketCapture(int Frames, int FromGuest, int ToGuest, IReadOnlyDictionary<string, int> Destinations, IReadOnlyList<string> Unexpected)
{
    private static readonly IPAddress SlirpHost = IPAddress.Parse("10.0.2.2");
    private static readonly IPAddress Guest = IPAddress.Parse("10.0.2.15");

    public static async Task<PacketCapture> ReadAsync(string pcap)
    {
        string[] fields = ["frame.number", "eth.src", "eth.type", "ip.src", "ip.dst", "ipv6.dst", "tcp.srcport", "udp.srcport", "udp.dstport",
            "icmpv6.type", "arp.dst.proto_ipv4", "_ws.col.Protocol"];
        var arguments = new List<string> { "-r", pcap, "-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f" };
        foreach (var field in fields) arguments.AddRange(["-e", field]);
        var tshark = await HostCommand.RunAsync("tshark", arguments, TimeSpan.FromMinutes(2));
        if (tshark.ExitCode != 0) throw new InvalidOperationException($"tshark -r {pcap} exited with {tshark.ExitCode}:\n{HostCommand.Tail(tshark.Output, 20)}");

        int frames = 0, fromGuest = 0;
        var destinations = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var line in tshark.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            if (f.Length < fields.Length || !int.TryParse(f[0], out _)) continue; // tshark's own remarks (running as root)
            frames++;
            if (!string.Equals(f[1], GuestMac, StringComparison.OrdinalIgnoreCase)) continue;
            fromGuest++;
            var (destination, allowed) = Classify(new Frame(f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]));
            destinations[destination] = destinations.GetValueOrDefault(destination) + 1;
            if (!allowed) unexpected.Add($"frame {f[0]}: {destination}");
        }
        return new PacketCapture(frames, fromGuest, frames - fromGuest, destinations, unexpected);
    }

    private static string GuestMac => GuestVm.GuestMac;

    private sealed record Frame(string EtherType, string IpSource, string IpDestination, string Ipv6Destination, string TcpSourcePort,
        string UdpSourcePort, string UdpDestinationPort, string Icmpv6Type, string ArpTarget, string Protocol);

    /// <summary>Where a frame from the guest went, and whether the air-gap allows it.</summary>
    private static (string Destination, bool Allowed) Classify(Frame frame)
    {
        if (frame.EtherType == "0x0806")
        {
            // ARP: asking for the gateway, or probing its own address (conflict detection).
            bool onLink = IPAddress.TryParse(frame.ArpTarget, out var target) && (target.Equals(SlirpHost) || target.Equals(Guest));
            return ($"ARP for {frame.ArpTarget} (neighbour discovery)", onLink);
        }
        if (frame.IpDestination.Length > 0)
        {
            var destination = IPAddress.Parse(frame.IpDestination);
            if (frame.UdpSourcePort == "68" && frame.UdpDestinationPort == "67" && (destination.Equals(IPAddress.Broadcast) || destination.Equals(SlirpHost)))
            {
                return ($"{destination} udp/67 (DHCP)", true);
            }
            if (destination.Equals(SlirpHost) && frame.IpSource == Guest.ToString())
            {
                if (frame.TcpSourcePort == "443") return ($"{destination} from tcp/443 (HTTPS replies, forwarded connection)", true);
                if (frame.UdpSourcePort == "10000") return ($"{destination} from udp/10000 (media replies, forwarded port)", true);
            }
            string port = frame.UdpDestinationPort.Length > 0 ? $" udp/{frame.UdpDestinationPort}" : "";
            return ($"{destination}{port} ({frame.Protocol}) NOT ALLOWED", false);
        }
        if (frame.Ipv6Destination.Length > 0)
        {
            var destination = IPAddress.Parse(frame.Ipv6Destination);
            bool linkScope = destination.IsIPv6LinkLocal || (destination.IsIPv6Multicast && (destination.GetAddressBytes()[1] & 0x0F) == 2);
            // Router solicitation, neighbour solicitation and advertisement (RFC 4861), MLDv2 reports (RFC 3810).
            if (linkScope && frame.Icmpv6Type is "133" or "135" or "136" or "143") return ($"{destination} ICMPv6 type {frame.Icmpv6Type} (neighbour discovery)", true);
            // DHCPv6 to All_DHCP_Relay_Agents_and_Servers (RFC 8415 §7.1).
            if (destination.Equals(IPAddress.Parse("ff02::1:2")) && frame.UdpDestinationPort == "547") return ($"{destination} udp/547 (DHCPv6)", true);
            return ($"{destination} ({frame.Protocol}) NOT ALLOWED", false);
        }
        return ($"ethertype {frame.EtherType} ({frame.Protocol}) NOT ALLOWED", false);
    }
}
