using Conclave.Crypto.Escrow;
using Conclave.Crypto.SFrame;

namespace Conclave.Recording.Export;

/// <summary>One escrowed copy of an epoch: who sealed it, to which escrow key, when it arrived.</summary>
internal readonly record struct EscrowCopy(uint SealerLeaf, string EscrowKeyId, ulong ArrivalUs);

/// <summary>A roster leaf whose credential verified: its facts and its MLS signature key (65-byte point).</summary>
internal sealed record RosterMember(uint Leaf, CredentialFacts Credential, byte[] SignatureKey);

/// <summary>
/// One MLS epoch of one group generation, as the recording knows it: when its Epoch record arrived
/// and, once an escrow blob for it opened, its keys, layout and attributed roster.
/// </summary>
internal sealed class TimelineEpoch(int generation, ulong epoch)
{
    public int Generation { get; } = generation;
    public ulong Epoch { get; } = epoch;

    /// <summary>Arrival of its Epoch record; null when only escrow names it (the record was dropped).</summary>
    public ulong? RecordedUs { get; set; }

    /// <summary>From when its media can arrive: the Epoch record, else the start of the epoch recorded before it in its generation.</summary>
    public ulong StartUs { get; set; }

    /// <summary>The first copy that opened; null: "no escrow".</summary>
    public EscrowedEpoch? Escrowed { get; set; }

    public List<EscrowCopy> Copies { get; } = [];

    /// <summary>RFC 9605 §5.2 with S from the escrowed leaf count.</summary>
    public MlsKeyIdLayout Layout { get; set; }

    /// <summary>The roster leaves whose credential verified with the credential CA key and names their signature key.</summary>
    public Dictionary<uint, RosterMember> Members { get; } = [];
}

/// <summary>
/// The recording's MLS epochs in arrival order. The Delivery Service founds a new group (epoch 0)
/// when a room empties of members and refills, so an Epoch record below the one before it starts
/// a new group generation; a record repeating the one before it is the same epoch. Escrow blobs
/// belong to the generation in force when they arrive.
/// <para>
/// A frame's KID carries only its epoch's low 8 bits (RFC 9605 §5.2, E = 8); its epoch is the
/// latest of the generation in force at its arrival with those bits that started by then. Members
/// switch keys after the commit is echoed, so a new epoch's media only follows its record; a
/// second of slack covers the clocks' granularity.
/// </para>
/// </summary>
internal sealed class EpochTimeline
{
    public const ulong EpochStartSlackUs = 1_000_000;

    private readonly List<TimelineEpoch> _epochs = [];
    private readonly List<ulong> _generationStartsUs = [0];
    private readonly Dictionary<(int Generation, ulong Epoch), TimelineEpoch> _byNumber = [];
    private readonly Dictionary<(int Generation, byte LowBits), List<TimelineEpoch>> _byLowBits = [];
    private ulong? _lastRecorded;

    /// <summary>Generations count from 1; the first is in force from the recording's start.</summary>
    public int CurrentGeneration => _generationStartsUs.Count;

    public int Generations => _generationStartsUs.Count;

    /// <summary>Every epoch, in the order first named (by its record or its escrow).</summary>
    public IReadOnlyList<TimelineEpoch> Epochs => _epochs;

    public void AddEpochRecord(ulong arrivalUs, ulong epoch)
    {
        if (_lastRecorded == epoch) return;
        if (_lastRecorded is { } last && epoch < last) _generationStartsUs.Add(arrivalUs);
        _lastRecorded = epoch;
        EpochOf(CurrentGeneration, epoch).RecordedUs ??= arrivalUs;
    }

    /// <summary>The epoch of that generation, added (without a record) when nothing named it yet.</summary>
    public TimelineEpoch EpochOf(int generation, ulong epoch)
    {
        if (_byNumber.TryGetValue((generation, epoch), out var entry)) return entry;
        entry = new TimelineEpoch(generation, epoch);
        _byNumber.Add((generation, epoch), entry);
        _epochs.Add(entry);
        return entry;
    }

    public TimelineEpoch? Named(int generation, ulong epoch) => _byNumber.GetValueOrDefault((generation, epoch));

    /// <summary>Once every record is in: each epoch's start (inferred for one without a record) and the index by low bits.</summary>
    public void Complete()
    {
        var ordered = new List<TimelineEpoch>(_epochs);
        ordered.Sort((a, b) => a.Generation != b.Generation ? a.Generation.CompareTo(b.Generation) : a.Epoch.CompareTo(b.Epoch));
        int generation = 0;
        ulong running = 0;
        foreach (var entry in ordered)
        {
            if (entry.Generation != generation)
            {
                generation = entry.Generation;
                running = _generationStartsUs[generation - 1];
            }
            if (entry.RecordedUs is { } recorded) running = recorded;
            entry.StartUs = running;
            var key = (entry.Generation, (byte)entry.Epoch);
            if (!_byLowBits.TryGetValue(key, out var list)) _byLowBits.Add(key, list = []);
            list.Add(entry);
        }
        foreach (var list in _byLowBits.Values) list.Sort((a, b) => a.StartUs != b.StartUs ? a.StartUs.CompareTo(b.StartUs) : a.Epoch.CompareTo(b.Epoch));
    }

    /// <summary>
    /// The epoch a frame with KID epoch bits <paramref name="lowBits"/> arriving at <paramref name="arrivalUs"/>
    /// belongs to: in the generation in force then, else in the one starting within the slack after
    /// or ending within it before (late packets of a group just replaced).
    /// </summary>
    public TimelineEpoch? ForFrame(byte lowBits, ulong arrivalUs)
    {
        ulong limit = arrivalUs + EpochStartSlackUs;
        int generation = GenerationAt(arrivalUs);
        var found = Latest(generation, lowBits, limit);
        if (found is not null) return found;
        int later = GenerationAt(limit);
        if (later != generation && Latest(later, lowBits, limit) is { } next) return next;
        int earlier = GenerationAt(arrivalUs > EpochStartSlackUs ? arrivalUs - EpochStartSlackUs : 0);
        return earlier != generation ? Latest(earlier, lowBits, limit) : null;
    }

    public int GenerationAt(ulong arrivalUs)
    {
        int low = 0, high = _generationStartsUs.Count - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (_generationStartsUs[middle] <= arrivalUs) low = middle;
            else high = middle - 1;
        }
        return low + 1;
    }

    /// <summary>"epoch 7", or "epoch 7 of group 2" once the recording has seen more than one group.</summary>
    public string Name(TimelineEpoch entry) => Generations > 1 ? $"epoch {entry.Epoch} of group {entry.Generation}" : $"epoch {entry.Epoch}";

    private TimelineEpoch? Latest(int generation, byte lowBits, ulong limitUs)
    {
        if (!_byLowBits.TryGetValue((generation, lowBits), out var list)) return null;
        int low = 0, high = list.Count - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            if (list[middle].StartUs <= limitUs)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found < 0 ? null : list[found];
    }
}
