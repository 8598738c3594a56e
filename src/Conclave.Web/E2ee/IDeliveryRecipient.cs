namespace Conclave.Web.E2ee;

/// <summary>
/// Where the Delivery Service sends one participant's messages: their signalling socket's
/// queue. Called under the room's lock, so it must only enqueue: never block, never call back.
/// </summary>
public interface IDeliveryRecipient
{
    void Send(byte[] utf8Json);
}
