using System.Text;
using Tmds.DBus.Protocol;

namespace Conclave.Daemon.Tests.SystemBus;

/// <summary>
/// Stand-ins for systemd-hostnamed, systemd-timedated, systemd and systemd-logind on a <see cref="PrivateSystemBus"/>,
/// hosted with Tmds.DBus.Protocol: they answer the calls conclaved makes with the values set here, record
/// every state-changing call instead of doing it, and reply with an error or not at all when told to. Used
/// where the real services would change this machine (host name, reboot) or do not run outside systemd.
/// </summary>
internal sealed class FakeSystemServices : IDisposable
{
    public const string Hostname1 = "org.freedesktop.hostname1", Timedate1 = "org.freedesktop.timedate1", Systemd1 = "org.freedesktop.systemd1",
        Login1 = "org.freedesktop.login1";

    private readonly DBusConnection _connection;
    private readonly Lock _lock = new();
    private readonly List<string> _calls = [];
    private readonly List<MethodContext> _unanswered = [];

    private FakeSystemServices(DBusConnection connection) => _connection = connection;

    public string StaticHostname { get; set; } = "conclave-fake";

    public string TransientHostname { get; set; } = "conclave-fake";

    public string TimeZone { get; set; } = "Europe/Zurich";

    public DateTimeOffset Now { get; set; } = new(2030, 3, 4, 9, 15, 0, TimeSpan.Zero);

    /// <summary>Units systemd knows: LoadState, ActiveState, SubState. Any other is "not-found", "inactive", "dead", as systemd says.</summary>
    public Dictionary<string, (string Load, string Active, string Sub)> Units { get; } = new(StringComparer.Ordinal)
    {
        ["conclaved.service"] = ("loaded", "active", "running"),
        ["nftables.service"] = ("loaded", "active", "exited"),
        ["chrony.service"] = ("loaded", "failed", "failed"),
    };

    /// <summary>When set, state-changing calls (SetStaticHostname, Reboot, PowerOff) get this error reply.</summary>
    public (string Name, string Message)? RefuseWith { get; set; }

    /// <summary>When set, state-changing calls get no reply at all.</summary>
    public bool NeverAnswer { get; set; }

    /// <summary>Runs when a state-changing call arrives, before it is answered (to look at what was true at that moment).</summary>
    public Action<string>? OnStateChanging { get; set; }

    /// <summary>Each state-changing call as "Member(arguments)": "SetStaticHostname(conclave-2, false)".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock) return [.. _calls];
        }
    }

    /// <param name="names">The bus names to own (default: all four services).</param>
    public static async Task<FakeSystemServices> StartAsync(string address, params string[] names)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        var services = new FakeSystemServices(connection);
        connection.AddMethodHandler(new Handler("/org/freedesktop/hostname1", false, services.Hostname));
        connection.AddMethodHandler(new Handler("/org/freedesktop/timedate1", false, services.Timedate));
        connection.AddMethodHandler(new Handler("/org/freedesktop/systemd1", true, services.Systemd));
        connection.AddMethodHandler(new Handler("/org/freedesktop/login1", false, services.Login));
        foreach (var name in names.Length == 0 ? [Hostname1, Timedate1, Systemd1, Login1] : names)
        {
            await connection.RequestNameAsync(name, RequestNameOptions.Default);
        }
        return services;
    }

    /// <summary>The object path systemd gives a unit: "/org/freedesktop/systemd1/unit/conclaved_2eservice" (sd_bus_path_encode).</summary>
    public static string UnitPath(string unit)
    {
        var path = new StringBuilder("/org/freedesktop/systemd1/unit/");
        foreach (byte b in Encoding.UTF8.GetBytes(unit))
        {
            if (char.IsAsciiLetterOrDigit((char)b)) path.Append((char)b);
            else path.Append('_').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return path.ToString();
    }

    private void Hostname(MethodContext context)
    {
        var request = context.Request;
        if (IsPropertyGet(context, out string property))
        {
            ReplyString(context, property switch { "StaticHostname" => StaticHostname, "Hostname" => TransientHostname, _ => null });
        }
        else if (request.MemberAsString == "SetStaticHostname")
        {
            var reader = request.GetBodyReader();
            string name = reader.ReadString();
            bool interactive = reader.ReadBool();
            StateChanging(context, $"SetStaticHostname({name}, {(interactive ? "true" : "false")})");
        }
        else
        {
            context.ReplyUnknownMethodError();
        }
    }

    private void Timedate(MethodContext context)
    {
        if (!IsPropertyGet(context, out string property))
        {
            context.ReplyUnknownMethodError();
            return;
        }
        using var writer = context.CreateReplyWriter("v");
        switch (property)
        {
            case "TimeUSec": writer.WriteVariantUInt64((ulong)(Now - DateTimeOffset.UnixEpoch).Ticks / 10); break;
            case "Timezone": writer.WriteVariantString(TimeZone); break;
            case "NTP" or "CanNTP": writer.WriteVariantBool(true); break;
            case "NTPSynchronized": writer.WriteVariantBool(false); break;
            default:
                context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"Unknown property {property}");
                return;
        }
        context.Reply(writer.CreateMessage());
    }

    private void Systemd(MethodContext context)
    {
        var request = context.Request;
        if (request.PathAsString == "/org/freedesktop/systemd1" && request.MemberAsString == "LoadUnit")
        {
            string unit = request.GetBodyReader().ReadString();
            using var writer = context.CreateReplyWriter("o");
            writer.WriteObjectPath(UnitPath(unit));
            context.Reply(writer.CreateMessage());
        }
        else if (IsPropertyGet(context, out string property))
        {
            string unit = Units.Keys.FirstOrDefault(u => UnitPath(u) == request.PathAsString) ?? "";
            var (load, active, sub) = Units.TryGetValue(unit, out var state) ? state : ("not-found", "inactive", "dead");
            ReplyString(context, property switch { "LoadState" => load, "ActiveState" => active, "SubState" => sub, _ => null });
        }
        else
        {
            context.ReplyUnknownMethodError();
        }
    }

    private void Login(MethodContext context)
    {
        var request = context.Request;
        if (request.MemberAsString is "Reboot" or "PowerOff")
        {
            bool interactive = request.GetBodyReader().ReadBool();
            StateChanging(context, $"{request.MemberAsString}({(interactive ? "true" : "false")})");
        }
        else
        {
            context.ReplyUnknownMethodError();
        }
    }

    private void StateChanging(MethodContext context, string call)
    {
        lock (_lock) _calls.Add(call);
        OnStateChanging?.Invoke(call);
        if (NeverAnswer)
        {
            // Kept undisposed, so no reply is ever sent (Dispose answers them, as a dying service's bus would).
            context.DisposesAsynchronously = true;
            lock (_lock) _unanswered.Add(context);
        }
        else if (RefuseWith is { } refusal)
        {
            context.ReplyError(refusal.Name, refusal.Message);
        }
        else
        {
            using var writer = context.CreateReplyWriter(null);
            context.Reply(writer.CreateMessage());
        }
    }

    private static bool IsPropertyGet(MethodContext context, out string property)
    {
        property = "";
        if (context.Request.InterfaceAsString != "org.freedesktop.DBus.Properties" || context.Request.MemberAsString != "Get") return false;
        var reader = context.Request.GetBodyReader();
        reader.ReadString();
        property = reader.ReadString();
        return true;
    }

    private static void ReplyString(MethodContext context, string? value)
    {
        if (value is null)
        {
            context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", "Unknown property");
            return;
        }
        using var writer = context.CreateReplyWriter("v");
        writer.WriteVariantString(value);
        context.Reply(writer.CreateMessage());
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var context in _unanswered) context.Dispose();
        }
        _connection.Dispose();
    }

    private sealed class Handler(string path, bool handlesChildPaths, Action<MethodContext> handle) : IPathMethodHandler
    {
        public string Path => path;

        public bool HandlesChildPaths => handlesChildPaths;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            handle(context);
            return ValueTask.CompletedTask;
        }
    }
}
