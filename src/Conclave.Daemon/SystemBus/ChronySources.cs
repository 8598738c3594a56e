using Conclave.Web.Ports;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// The time servers chrony is configured with: the <c>server</c> and <c>pool</c> lines of chrony.conf and of
/// sources.d/*.sources (chrony.conf(5), "sourcedir"), where an admin adds them on the appliance
/// (docs/system-page.md). Comment lines start with !, ;, # or %. Read from the files, not asked of chronyd,
/// whose command socket conclaved's sandbox does not reach.
/// </summary>
internal sealed class ChronySources(string directory)
{
    /// <summary>Where Debian's chrony keeps its configuration (firmware-config/chrony/chrony.conf is installed there).</summary>
    public static ChronySources Appliance { get; } = new("/etc/chrony");

    public TimeSources Read()
    {
        string configuration = Path.Combine(directory, "chrony.conf");
        string sourcesDirectory = Path.Combine(directory, "sources.d");
        var sources = new List<TimeSource>();
        try
        {
            if (!File.Exists(configuration)) return new TimeSources([], $"chrony is not installed here: there is no {configuration}");
            Collect(configuration, sources);
            if (Directory.Exists(sourcesDirectory))
            {
                var files = Directory.GetFiles(sourcesDirectory, "*.sources");
                Array.Sort(files, StringComparer.Ordinal);
                foreach (var file in files) Collect(file, sources);
            }
            return new TimeSources(sources, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TimeSources(sources, $"chrony's configuration cannot be read: {e.Message}");
        }
    }

    private static void Collect(string file, List<TimeSource> sources)
    {
        foreach (var raw in File.ReadLines(file))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '!' or ';' or '#' or '%') continue;
            int end = line.IndexOfAny([' ', '\t']);
            string directive = end < 0 ? line : line[..end];
            if (directive.Equals("server", StringComparison.OrdinalIgnoreCase) || directive.Equals("pool", StringComparison.OrdinalIgnoreCase))
            {
                sources.Add(new TimeSource(line, file));
            }
        }
    }
}
