using System.Globalization;

namespace Conclave.Media.Load;

/// <summary>What the kernel counts that the tool reads before and after a window (proc(5)).</summary>
internal static class KernelCounters
{
    /// <summary>USER_HZ: the unit of /proc/stat and /proc/self/stat times on Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>
    /// CPU time a thread of this process ran, in seconds: the first field of
    /// /proc/self/task/&lt;tid&gt;/schedstat, in nanoseconds (sched-stats.rst), so a 5 s window is
    /// not rounded to the 10 ms ticks of utime and stime.
    /// </summary>
    public static double ThreadCpuSeconds(int threadId) => ScheduledSeconds($"/proc/self/task/{threadId}/schedstat");

    /// <summary>Every thread of this process, the dead ones too: utime + stime of /proc/self/stat.</summary>
    public static double ProcessCpuSeconds()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        // The command name may hold spaces; fields count from the ')' that ends it (utime is field 14).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>CPU time of the kernel's softirq threads: loopback delivery that did not run in the sending thread.</summary>
    public static double SoftIrqThreadsCpuSeconds()
    {
        double total = 0;
        foreach (string pid in SoftIrqThreads.Value) total += ScheduledSeconds($"/proc/{pid}/schedstat");
        return total;
    }

    private static readonly Lazy<string[]> SoftIrqThreads = new(() => Directory.GetDirectories("/proc")
        .Select(Path.GetFileName)
        .Where(name => name!.All(char.IsAsciiDigit) && ReadOrEmpty($"/proc/{name}/comm").StartsWith("ksoftirqd/", StringComparison.Ordinal))
        .ToArray()!);

    /// <summary>Busy and total CPU seconds of the whole machine, every core: /proc/stat's first line.</summary>
    public static (double Busy, double Total) MachineCpuSeconds()
    {
        string line = File.ReadLines("/proc/stat").First();
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is in user already).
        long total = fields.Take(8).Sum();
        long idle = fields[3] + fields[4];
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }

    /// <summary>The Udp counters of /proc/net/snmp by name (RcvbufErrors, InErrors, ...): every socket of the machine.</summary>
    public static IReadOnlyDictionary<string, long> UdpCounters()
    {
        var lines = File.ReadAllLines("/proc/net/snmp").Where(line => line.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        return names.Zip(values).ToDictionary(pair => pair.First, pair => long.Parse(pair.Second, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Datagrams the kernel dropped on the IPv4 UDP sockets bound to <paramref name="ports"/> on
    /// 127.0.0.1 (the last column of /proc/net/udp): a full receive buffer, per socket.
    /// </summary>
    public static long SocketDrops(IReadOnlySet<int> ports)
    {
        long drops = 0;
        foreach (string line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = fields[1];
            if (!local.StartsWith("0100007F:", StringComparison.Ordinal)) continue;
            if (!ports.Contains(int.Parse(local.AsSpan(9), NumberStyles.HexNumber, CultureInfo.InvariantCulture))) continue;
            drops += long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return drops;
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    public static string KernelRelease() => ReadOrEmpty("/proc/sys/kernel/osrelease").Trim();

    private static double ScheduledSeconds(string path)
    {
        string text = ReadOrEmpty(path);
        return text.Length == 0 ? 0 : long.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture) / 1e9;
    }

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }
}
