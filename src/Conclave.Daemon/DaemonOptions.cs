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

    /// <summary>
    /// Media loops (threads) sharing the media port, each owning whole rooms; unset, one per
    /// processor. 1 keeps the port a plain socket.
    /// </summary>
    public int? MediaLoops { get; set; }

    /// <summary>The address browsers send media to; needed only when Media listens on 0.0.0.0 or [::].</summary>
    public string? MediaAdvertisedAddress { get; set; }

    /// <summary>
    /// A loopback address:port serving the media plane's counters as plain-HTTP text at /metrics
    /// (docs/operations.md, "Metrics"); unset, nothing listens.
    /// </summary>
    public string? Metrics { get; set; }

    /// <summary>Where the appliance keeps its state.</summary>
    public string StateDirectory { get; set; } = "./.state";

    /// <summary>The PKCS#11 token that holds every long-term key (section Conclave:Token).</summary>
    public TokenSection Token { get; set; } = new();

    /// <summary>What one person or one address may hold through signalling (section Conclave:Limits).</summary>
    public Conclave.Web.Signalling.SignallingLimitOptions Limits { get; set; } = new();

    /// <summary>How the audit log takes refusals of people not logged in (section Conclave:Audit).</summary>
    public AuditSection Audit { get; set; } = new();

    /// <summary>Compliance recordings (section Conclave:Recording; docs/recording.md).</summary>
    public RecordingSection Recording { get; set; } = new();

    /// <summary>Files shared in meetings (section Conclave:SharedFiles; docs/content-sharing.md).</summary>
    public SharedFilesSection SharedFiles { get; set; } = new();

    /// <summary>The D-Bus system bus the System page asks (docs/system-page.md); empty: DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket.</summary>
    public string? SystemBus { get; set; }
}

public sealed class SharedFilesSection
{
    /// <summary>One file's ciphertext, in bytes: 256 MiB holds a long CT series or a large PDF.</summary>
    public long MaxFileBytes { get; set; } = Conclave.Meetings.SharedFiles.SharedFileLimits.Defaults.MaxFileBytes;

    /// <summary>All of one meeting's files together, in bytes.</summary>
    public long MaxMeetingBytes { get; set; } = Conclave.Meetings.SharedFiles.SharedFileLimits.Defaults.MaxMeetingBytes;

    /// <summary>Files one meeting may hold at once (a DICOM series is one file per slice).</summary>
    public int MaxFilesPerMeeting { get; set; } = Conclave.Meetings.SharedFiles.SharedFileLimits.Defaults.MaxFilesPerMeeting;
}

public sealed class RecordingSection
{
    /// <summary>
    /// How long a recording is kept: at least this long, and no longer (its keys are then
    /// destroyed and its files deleted) unless a compliance officer holds it.
    /// </summary>
    public int RetentionDays { get; set; } = 365;
}

public sealed class AuditSection
{
    /// <summary>
    /// The first refusal of a kind from a source network is written at once, the rest in this
    /// many seconds after it as one record (docs/audit-log.md, "Refusals of strangers").
    /// </summary>
    public int RefusalIntervalSeconds { get; set; } = 60;
}

public sealed class TokenSection
{
    /// <summary>SoftHSM2 in development; the vendor's PKCS#11 library in production.</summary>
    public string ModulePath { get; set; } = "/usr/lib/softhsm/libsofthsm2.so";

    /// <summary>Tokens are found by label, never by slot number.</summary>
    public string Label { get; set; } = "conclave";

    /// <summary>
    /// Development: the SoftHSM2 token under the state directory, its PIN in a 0600 file
    /// there. Production sets false: the PIN then comes only from the systemd credential.
    /// </summary>
    public bool Development { get; set; } = true;
}

/// <summary><see cref="DaemonOptions"/> checked and converted, or the one line saying what is wrong.</summary>
public sealed record ValidatedOptions(IPEndPoint Https, IPEndPoint Media, int MediaLoops, IPAddress? MediaAdvertisedAddress, IPEndPoint? Metrics, string StateDirectory, TokenSection Token,
    Conclave.Web.Signalling.SignallingLimitOptions Limits, Conclave.Meetings.Audit.RefusalAggregation Refusals, TimeSpan RecordingRetention,
    Conclave.Meetings.SharedFiles.SharedFileLimits SharedFiles, string SystemBus)
{
    /// <summary>More loops than this would only contend for the same cores.</summary>
    public const int MaxMediaLoops = 64;

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
        int mediaLoops = options.MediaLoops ?? Environment.ProcessorCount;
        if (mediaLoops is < 1 or > MaxMediaLoops)
        {
            error = $"Conclave:MediaLoops {mediaLoops} must be 1 to {MaxMediaLoops}";
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
        IPEndPoint? metrics = null;
        if (options.Metrics is { Length: > 0 } metricsText)
        {
            if (!TryParseEndPoint(metricsText, out metrics) || !IPAddress.IsLoopback(metrics!.Address) || metrics.Port == 0)
            {
                error = $"Conclave:Metrics '{metricsText}' must be a loopback address and port such as 127.0.0.1:9464 (the counters are for this box only)";
                return false;
            }
            if (metrics.Port == https!.Port)
            {
                error = $"Conclave:Metrics '{metricsText}' must not share Conclave:Https's port";
                return false;
            }
        }
        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            error = "Conclave:StateDirectory is empty";
            return false;
        }
        if (string.IsNullOrWhiteSpace(options.Token.Label) || string.IsNullOrWhiteSpace(options.Token.ModulePath))
        {
            error = "Conclave:Token:Label and Conclave:Token:ModulePath must not be empty";
            return false;
        }
        if (options.Limits.Invalid() is { } limit)
        {
            error = $"Conclave:Limits:{limit} is too small (see the README's limits table)";
            return false;
        }
        if (options.Audit.RefusalIntervalSeconds < 1)
        {
            error = $"Conclave:Audit:RefusalIntervalSeconds {options.Audit.RefusalIntervalSeconds} must be at least 1";
            return false;
        }
        // A day at least; 50 years at most (longer than any archiving rule asks).
        if (options.Recording.RetentionDays is < 1 or > 50 * 366)
        {
            error = $"Conclave:Recording:RetentionDays {options.Recording.RetentionDays} must be 1 to {50 * 366}";
            return false;
        }
        var sharedFiles = new Conclave.Meetings.SharedFiles.SharedFileLimits(options.SharedFiles.MaxFileBytes, options.SharedFiles.MaxMeetingBytes,
            options.SharedFiles.MaxFilesPerMeeting);
        if (sharedFiles.Invalid() is { } sharedLimit)
        {
            error = $"Conclave:SharedFiles:{sharedLimit} is too small (at least 1; MaxMeetingBytes at least MaxFileBytes)";
            return false;
        }
        validated = new ValidatedOptions(https!, media, mediaLoops, advertised, metrics, Path.GetFullPath(options.StateDirectory), options.Token, options.Limits,
            new Conclave.Meetings.Audit.RefusalAggregation { Interval = TimeSpan.FromSeconds(options.Audit.RefusalIntervalSeconds) },
            TimeSpan.FromDays(options.Recording.RetentionDays), sharedFiles,
            string.IsNullOrWhiteSpace(options.SystemBus) ? Conclave.Daemon.SystemBus.SystemBusConnection.DefaultAddress : options.SystemBus);
        error = null;
        return true;
    }

    private static bool TryParseEndPoint(string? text, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return text is not null && IPEndPoint.TryParse(text, out endPoint) && endPoint.Port is >= 0 and <= 65535;
    }
}
