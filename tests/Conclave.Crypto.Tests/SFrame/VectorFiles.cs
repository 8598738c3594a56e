using System.Globalization;

namespace Conclave.Crypto.Tests.SFrame;

/// <summary>The shared vector files in tests/vectors, found from the repository root.</summary>
internal static class VectorFiles
{
    public static string PathOf(string fileName) => VectorPath(Path.Combine("sframe", fileName));

    /// <summary>A path under tests/vectors.</summary>
    public static string VectorPath(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        if (directory is null) throw new DirectoryNotFoundException($"no Appliance.sln above {AppContext.BaseDirectory}");
        return Path.Combine(directory.FullName, "tests", "vectors", relative);
    }

    /// <summary>
    /// The blocks of rfc9605-appendix-c.txt, each a name → value map, as RFC 9605 Appendix C
    /// prints them: <c>name: value</c> lines, a value continued on indented lines, blocks
    /// separated by blank lines; section titles (no colon) and '#' comments are skipped.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, string>> Rfc9605AppendixC()
    {
        var blocks = new List<Dictionary<string, string>>();
        Dictionary<string, string>? block = null;
        string? last = null;
        foreach (var line in File.ReadLines(PathOf("rfc9605-appendix-c.txt")))
        {
            if (line.StartsWith('#')) continue;
            if (line.Trim().Length == 0)
            {
                block = null;
                continue;
            }
            if (line[0] == ' ' && block is not null && last is not null)
            {
                block[last] += line.Trim();
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            if (block is null)
            {
                block = [];
                blocks.Add(block);
            }
            last = line[..colon];
            block[last] = line[(colon + 1)..].Trim();
        }
        return blocks;
    }

    /// <summary>An RFC number such as 0x0000000000000123.</summary>
    public static ulong Number(string value) =>
        ulong.Parse(value.StartsWith("0x", StringComparison.Ordinal) ? value[2..] : value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
