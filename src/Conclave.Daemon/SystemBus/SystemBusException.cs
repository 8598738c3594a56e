namespace Conclave.Daemon.SystemBus;

/// <summary>A call on the system bus that did not give an answer, with the sentence the System page shows.</summary>
internal sealed class SystemBusException(string message) : Exception(message);
