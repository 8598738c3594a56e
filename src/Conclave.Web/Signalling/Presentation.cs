namespace Conclave.Web.Signalling;

/// <summary>What a <c>share-start</c> comes to (docs/content-sharing.md).</summary>
public enum ShareDecision
{
    /// <summary>Nobody presented: the asker presents now.</summary>
    Started,
    /// <summary>The asker presents already; nothing changes.</summary>
    AlreadyPresenting,
    /// <summary>The host took over from someone else, whose share ends.</summary>
    TookOver,
    /// <summary>Someone else presents and the asker is not the host: <c>share-busy</c>.</summary>
    Busy,
}

/// <summary>
/// Who presents a screen in one room: one participant at a time. Asking while nobody
/// presents starts a presentation; while someone else presents, the meeting's host takes
/// over and anyone else is refused. Leaving or stopping ends one's own presentation.
/// NOTE: not thread-safe: <see cref="RoomDirectory"/> calls it under its lock.
/// </summary>
public sealed class Presentation
{
    /// <summary>The participant presenting now; null when nobody is.</summary>
    public string? PresenterId { get; private set; }

    /// <param name="previous">Who presented before the asker took over; null unless <see cref="ShareDecision.TookOver"/>.</param>
    public ShareDecision Start(string participantId, bool isHost, out string? previous)
    {
        previous = null;
        if (PresenterId == participantId) return ShareDecision.AlreadyPresenting;
        if (PresenterId is not null && !isHost) return ShareDecision.Busy;
        previous = PresenterId;
        PresenterId = participantId;
        return previous is null ? ShareDecision.Started : ShareDecision.TookOver;
    }

    /// <summary>The participant stopped presenting, left or was removed; true when they were the presenter.</summary>
    public bool End(string participantId)
    {
        if (PresenterId != participantId) return false;
        PresenterId = null;
        return true;
    }
}
