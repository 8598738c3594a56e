namespace Conclave.Daemon.SystemBus;

/// <summary>A call on the system bus that did not give an answer, with the sentence the System page shows.</summary>
/// <param name="busUnavailable">There is no system bus to talk to at all, not merely a service that failed.</param>
internal sealed class SystemBusException(string message, bool busUnavailable = false) : Exception(message)
{
    public bool BusUnavailable { get; } = busUnavailable;
}
