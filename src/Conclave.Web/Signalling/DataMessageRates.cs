namespace Conclave.Web.Signalling;

/// <summary>One socket's <c>data</c> budgets: each kind its own <see cref="DataMessageRate"/>.</summary>
internal sealed class DataMessageRates
{
    private readonly DataMessageRate _chat = new(SignallingLimits.DataMessagesPerSecond);
    private readonly DataMessageRate _content = new(SignallingLimits.ContentMessagesPerSecond);

    public static int PerSecond(DataKind kind) => kind == DataKind.Content ? SignallingLimits.ContentMessagesPerSecond : SignallingLimits.DataMessagesPerSecond;

    public bool TryTake(DataKind kind, long nowMs) => (kind == DataKind.Content ? _content : _chat).TryTake(nowMs);
}
