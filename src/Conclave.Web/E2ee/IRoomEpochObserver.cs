namespace Conclave.Web.E2ee;

/// <summary>Hears each epoch the Delivery Service sequences: the recording's timeline of keys.</summary>
public interface IRoomEpochObserver
{
    /// <summary>Called under the Delivery Service's lock: record and return.</summary>
    void EpochAccepted(string roomId, ulong epoch);
}
