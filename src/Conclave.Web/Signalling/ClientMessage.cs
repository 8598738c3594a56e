namespace Conclave.Web.Signalling;

/// <summary>A message from the browser (docs/signalling.md).</summary>
public abstract record ClientMessage
{
    public sealed record Join(string Room) : ClientMessage;
    public sealed record Answer(int Revision, string Sdp) : ClientMessage;
    public sealed record Candidate(string Line, string? SdpMid) : ClientMessage;
    public sealed record RestartIce : ClientMessage;
    public sealed record Leave : ClientMessage;

    /// <summary>The browser could not apply an offer (setRemoteDescription failed); it leaves, saying why.</summary>
    public sealed record NegotiationFailed(string Reason) : ClientMessage;
}
