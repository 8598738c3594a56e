using Tmds.DBus.Protocol;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// conclaved's one connection to the D-Bus system bus (docs/system-page.md). It connects on first use and
/// again on the next use after the bus went away (a restarted dbus-daemon), so a daemon that started
/// before the bus, or runs where there is none, keeps serving and says so. Every call gives up after
/// the call timeout (<see cref="DefaultCallTimeout"/> in conclaved): a stuck service costs a page that long, never a hung request. Whatever
/// goes wrong becomes a <see cref="SystemBusException"/> with the sentence the page shows.
/// </summary>
internal sealed class SystemBusConnection(string address, TimeSpan callTimeout) : IDisposable
{
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(5);

    public const string Unavailable = "D-Bus system bus not available here: hostname, time and services are managed on the appliance";

    private const string ServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown", NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";

    private readonly DBusConnection _connection = new(new DBusConnectionOptions(address) { AutoConnect = true });

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS, else the system bus's well-known socket (D-Bus Specification, "Well-known Message Bus Instances").</summary>
    public static string DefaultAddress => DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";

    /// <summary>For building one method call: WriteMethodCallHeader, the arguments, CreateMessage.</summary>
    public MessageWriter NewMessage() => _connection.GetMessageWriter();

    /// <summary>Connects unless connected; <see cref="SystemBusException.BusUnavailable"/> when there is no bus to connect to.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _connection.ConnectAsync().AsTask().WaitAsync(callTimeout, cancellationToken);
        }
        catch (DBusConnectionException)
        {
            throw new SystemBusException(Unavailable, busUnavailable: true);
        }
        catch (TimeoutException)
        {
            throw new SystemBusException($"The D-Bus system bus did not answer within {callTimeout.TotalSeconds:0} s", busUnavailable: true);
        }
    }

    /// <param name="what">The method or property, as a problem names it.</param>
    public async Task<T> CallAsync<T>(MessageBuffer message, MessageValueReader<T> reader, object? readerState, BusObject target, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.CallMethodAsync(message, reader, readerState).WaitAsync(callTimeout, cancellationToken);
        }
        catch (Exception e) when (e is DBusExceptionBase or TimeoutException)
        {
            throw Describe(e, target, what);
        }
    }

    /// <summary>A call whose reply carries nothing.</summary>
    public async Task CallAsync(MessageBuffer message, BusObject target, string what, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.CallMethodAsync(message).WaitAsync(callTimeout, cancellationToken);
        }
        catch (Exception e) when (e is DBusExceptionBase or TimeoutException)
        {
            throw Describe(e, target, what);
        }
    }

    /// <summary>org.freedesktop.DBus.Properties.Get of one property, which must be of type <paramref name="expected"/>.</summary>
    public Task<VariantValue> GetPropertyAsync(BusObject target, string property, VariantValueType expected, CancellationToken cancellationToken) =>
        CallAsync(PropertyGet(target, property), ReadVariant, expected, target, property, cancellationToken);

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
        DBusConnectFailedException => new SystemBusException(Unavailable, busUnavailable: true),
        DBusConnectionClosedException => new SystemBusException($"The system bus connection closed during {what}; the next request connects again"),
        // The bus knows no such name and cannot start it: the daemon is not running (nor activatable).
        DBusErrorReplyException { ErrorName: ServiceUnknown or NameHasNoOwner } => new SystemBusException($"{target.Daemon} is not running"),
        DBusErrorReplyException reply => new SystemBusException($"{target.Daemon}, {what}: {reply.ErrorName}: {reply.ErrorMessage}"),
        TimeoutException => new SystemBusException($"{target.Daemon} did not answer {what} within {callTimeout.TotalSeconds:0} s"),
        _ => new SystemBusException($"{target.Daemon}, {what}: {e.Message}"),
    };

    public void Dispose() => _connection.Dispose();
}
