using Tmds.DBus.Protocol;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// conclaved's one connection to the D-Bus system bus (docs/system-page.md). It connects on first use and
/// again on the next use after the bus went away (a restarted dbus-daemon), so a daemon that started
/// before the bus, or runs where there is none, keeps serving and says so. Every call gives up after the
/// call timeout (<see cref="DefaultCallTimeout"/> in conclaved): a stuck service costs a page that long,
/// never a hung request. Whatever goes wrong becomes a <see cref="SystemBusException"/> with the sentence
/// the page shows.
/// </summary>
internal sealed class SystemBusConnection(string address, TimeSpan callTimeout) : IDisposable
{
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(5);

    public const string Unavailable = "D-Bus system bus not available here: hostname, time and services are managed on the appliance";

    private const string ServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown", NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";

    /// <summary>The bus itself, which every bus implements org.freedesktop.DBus.Peer on.</summary>
    private static readonly BusObject Bus = new("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "The D-Bus system bus");

    private readonly DBusConnection _connection = new(new DBusConnectionOptions(address) { AutoConnect = true });

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS, else the system bus's well-known socket (D-Bus Specification, "Well-known Message Bus Instances").</summary>
    public static string DefaultAddress => DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";

    /// <summary>For building one method call: WriteMethodCallHeader, the arguments, CreateMessage.</summary>
    public MessageWriter NewMessage() => _connection.GetMessageWriter();

    /// <summary>
    /// Asks the bus itself for an answer (org.freedesktop.DBus.GetId), connecting if need be: is there a bus
    /// here at all? Not org.freedesktop.DBus.Peer.Ping: Debian 12's system bus policy refuses that to
    /// an ordinary user's connection (AccessDenied, measured in the appliance image).
    /// </summary>
    public Task PingAsync(CancellationToken cancellationToken) => CallAsync(Ping, Bus, "GetId", cancellationToken);

    /// <param name="message">Builds the call; called again for the one retry after the connection closed.</param>
    /// <param name="what">The method or property, as a problem names it.</param>
    public async Task<T> CallAsync<T>(Func<MessageBuffer> message, MessageValueReader<T> reader, object? readerState, BusObject target, string what,
        CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await _connection.CallMethodAsync(message(), reader, readerState).WaitAsync(callTimeout, cancellationToken);
            }
            catch (DBusConnectionClosedException) when (attempt == 1)
            {
                // The bus went away since the last call (dbus-daemon restarted): the next call connects again.
            }
            catch (Exception e) when (e is DBusExceptionBase or TimeoutException)
            {
                throw Describe(e, target, what);
            }
        }
    }

    /// <summary>A call whose reply carries nothing.</summary>
    public Task CallAsync(Func<MessageBuffer> message, BusObject target, string what, CancellationToken cancellationToken) =>
        CallAsync(message, static (_, _) => true, null, target, what, cancellationToken);

    /// <summary>org.freedesktop.DBus.Properties.Get of one property, which must be of type <paramref name="expected"/>.</summary>
    public Task<VariantValue> GetPropertyAsync(BusObject target, string property, VariantValueType expected, CancellationToken cancellationToken) =>
        CallAsync(() => PropertyGet(target, property), ReadVariant, expected, target, property, cancellationToken);

    /// <summary>
    /// <see cref="GetPropertyAsync"/>, or null with the reason noted in <paramref name="problems"/>: a page
    /// shows what it could read and says once why the rest is missing.
    /// </summary>
    public async Task<VariantValue?> TryGetPropertyAsync(BusObject target, string property, VariantValueType expected, PropertyProblems problems,
        CancellationToken cancellationToken)
    {
        try
        {
            return await GetPropertyAsync(target, property, expected, cancellationToken);
        }
        catch (SystemBusException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    private MessageBuffer Ping()
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: Bus.Destination, path: Bus.Path, @interface: Bus.Interface, member: "GetId");
        return writer.CreateMessage();
    }

    private MessageBuffer PropertyGet(BusObject target, string property)
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: target.Destination, path: target.Path, @interface: "org.freedesktop.DBus.Properties",
            member: "Get", signature: "ss");
        writer.WriteString(target.Interface);
        writer.WriteString(property);
        return writer.CreateMessage();
    }

    private static VariantValue ReadVariant(Message message, object? expected)
    {
        var value = message.GetBodyReader().ReadVariantValue();
        return value.Type == (VariantValueType)expected! ? value : throw new DBusUnexpectedValueException($"a {value.Type} where a {expected} belongs");
    }

    private SystemBusException Describe(Exception e, BusObject target, string what) => e switch
    {
        DBusConnectFailedException => new SystemBusException(Unavailable),
        DBusConnectionClosedException => new SystemBusException($"The system bus connection closed during {what}"),
        // The bus knows no such name and cannot start it: the daemon is not running (nor activatable).
        DBusErrorReplyException { ErrorName: ServiceUnknown or NameHasNoOwner } => new SystemBusException($"{target.Daemon} is not running"),
        DBusErrorReplyException reply => new SystemBusException($"{target.Daemon}, {what}: {reply.ErrorName}: {reply.ErrorMessage}"),
        TimeoutException => new SystemBusException($"{target.Daemon} did not answer {what} within {callTimeout.TotalSeconds:0.#} s"),
        _ => new SystemBusException($"{target.Daemon}, {what}: {e.Message}"),
    };

    public void Dispose() => _connection.Dispose();
}
