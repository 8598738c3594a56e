namespace Conclave.Recording.Export;

/// <summary>
/// Turns a stream's unwritten frames into gaps: a gap opens at the last arrival before the trouble
/// with the trouble's reason, takes in the frames skipped while waiting for a key frame, and closes
/// at the next frame written. A different reason starts a new gap.
/// </summary>
internal sealed class GapRecorder
{
    private readonly List<ExportGap> _gaps = [];
    private ulong _from;
    private string? _reason;

    public IReadOnlyList<ExportGap> Gaps => _gaps;

    public void Open(ulong fromMicroseconds, string reason)
    {
        if (_reason == reason) return;
        Close(fromMicroseconds);
        _from = fromMicroseconds;
        _reason = reason;
    }

    /// <summary>Opens a gap unless one is open already (a skipped frame belongs to the trouble before it).</summary>
    public void Extend(ulong fromMicroseconds, string reason)
    {
        if (_reason is null) Open(fromMicroseconds, reason);
    }

    public void Close(ulong toMicroseconds)
    {
        if (_reason is null) return;
        _gaps.Add(new ExportGap(_from, Math.Max(_from, toMicroseconds), _reason));
        _reason = null;
    }
}
