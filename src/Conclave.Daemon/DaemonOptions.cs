using System.Net;

namespace Conclave.Daemon;

/// <summary>
/// The "Conclave" section of the configuration: /etc/conclave/conclave.json, then
/// environment variables (CONCLAVE__Https etc.), then the command line
/// (--Conclave:Https=…), each overriding the one before.
/// </summary>
public sealed class DaemonOptions
{
    public const string Section = "Conclave";

    /// <summary>Console, signalling and the meeting page (HTTPS).</summary>
    public string Https { get; set; } = "127.0.0.1:8443";

    /// <summary>The one UDP port for all media (RFC 7983 demultiplexing).</summary>
    public string Media { get; set; } = "127.0.0.1:10000";

    /// <summary>The address browsers send media to; needed only when Media listens on 0.0.0.0 or [::].</summary>
    public string? MediaAdvertisedAddress { get; set; }

    /// <summary>Where the appliance keeps its state.</summary>
    public string StateDirectory { get; set; } = "./.state";
}

/// <summary><see cref="DaemonOptions"/> checked and converted, or the one line saying what is wrong.</summary>
public sealed record ValidatedOptions(IPEndPoint Https, IPEndPoint Media, IPAddress? MediaAdvertisedAddress, string StateDirectory)
{
    public static bool TryCreate(DaemonOptions options, out ValidatedOptions? validated, out string? error)
    {
        validated = null;
        if (!TryParseEndPoint(options.Https, out var https))
        {
            error = $"Conclave:Https '{options.Https}' is not an address:port such as 127.0.0.1:8443";
            return false;
        }
        if (!TryParseEndPoint(options.Media, out var media))
        {
            error = $"Conclave:Media '{options.Media}' is not an address:port such as 127.0.0.1:10000";
            return false;
        }
        IPAddress? advertised = null;
        if (options.MediaAdvertisedAddress is { Length: > 0 } text && !IPAddress.TryParse(text, out advertised))
        {
            error = $"Conclave:MediaAdvertisedAddress '{text}' is not an IP address";
            return false;
        }
        bool wildcard = media!.Address.Equals(IPAddress.Any) || media.Address.Equals(IPAddress.IPv6Any);
        if (wildcard && advertised is null)
        {
            error = $"Conclave:Media listens on {media.Address}: set Conclave:MediaAdvertisedAddress to the address browsers reach";
            return false;
        }
        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            error = "Conclave:StateDirectory is empty";
            return false;
        }
        validated = new ValidatedOptions(https!, media, advertised, Path.GetFullPath(options.StateDirectory));
        error = null;
        return true;
    }

    private static bool TryParseEndPoint(string? text, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return text is not null && IPEndPoint.TryParse(text, out endPoint) && endPoint.Port is >= 0 and <= 65535;
    }
}
