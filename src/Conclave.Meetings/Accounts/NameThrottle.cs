namespace Conclave.Meetings.Accounts;

/// <summary>
/// Tries of one user name (as typed, normalised) from one <see cref="SourceNetwork"/>, in
/// memory, paced by <see cref="LoginPolicy.PauseAfter"/>. A try is counted before its
/// password is hashed, so tries sent at once are all counted and those beyond the allowance
/// are never checked; a successful login forgets its pair. Names that exist and names that
/// do not are paced alike. Bounded: each pair is forgotten <see cref="LoginPolicy.FailureWindow"/>
/// after its pause ends, and beyond <see cref="MaxTrackedPairs"/> pairs the one whose pause
/// ends first goes, so a flood of fresh pairs cannot release a pair that is paused for long.
/// </summary>
internal sealed class NameThrottle(LoginPolicy policy, TimeProvider time)
{
    public const int MaxTrackedPairs = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Name, string Network), Pair> _pairs = [];

    /// <param name="NotBefore">The next try of this pair is checked from then on.</param>
    private readonly record struct Pair(int Tries, DateTimeOffset NotBefore);

    /// <summary>How many pairs are remembered now.</summary>
    public int TrackedPairs
    {
        get { lock (_lock) return _pairs.Count; }
    }

    /// <summary>
    /// Counts a try of <paramref name="userName"/> from <paramref name="source"/> before it is
    /// checked. False when the pair must still wait: <paramref name="notBefore"/> says until
    /// when, and the try is not counted. True when it may be checked: <paramref name="notBefore"/>
    /// is when the pair's next try may be, later than now once this try used the allowance.
    /// </summary>
    public bool TryCount(string userName, string source, out DateTimeOffset notBefore)
    {
        var key = Key(userName, source);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            bool known = _pairs.TryGetValue(key, out var pair) && !IsForgotten(pair, now);
            if (known && now < pair.NotBefore)
            {
                notBefore = pair.NotBefore;
                return false;
            }
            int tries = known ? pair.Tries + 1 : 1;
            notBefore = now + policy.PauseAfter(tries);
            if (!_pairs.ContainsKey(key)) MakeRoom(now);
            _pairs[key] = new Pair(tries, notBefore);
            return true;
        }
    }

    /// <summary>The pair logged in: its earlier tries no longer count.</summary>
    public void Forget(string userName, string source)
    {
        var key = Key(userName, source);
        lock (_lock) _pairs.Remove(key);
    }

    /// <summary>An admin gave the account a new password: no source waits to try its name any more.</summary>
    public void ForgetName(string userName)
    {
        lock (_lock)
        {
            foreach (var key in _pairs.Keys)
            {
                if (key.Name == userName) _pairs.Remove(key);
            }
        }
    }

    private bool IsForgotten(Pair pair, DateTimeOffset now) => now >= pair.NotBefore + policy.FailureWindow;

    private void MakeRoom(DateTimeOffset now)
    {
        if (_pairs.Count < MaxTrackedPairs) return;
        foreach (var (key, pair) in _pairs)
        {
            if (IsForgotten(pair, now)) _pairs.Remove(key);
        }
        if (_pairs.Count >= MaxTrackedPairs) _pairs.Remove(_pairs.MinBy(p => p.Value.NotBefore).Key);
    }

    /// <summary>A name longer than any user name is cut: all such names are unknown alike, and the key stays small.</summary>
    private static (string, string) Key(string userName, string source) =>
        (userName.Length <= Validation.MaxUserNameLength ? userName : userName[..Validation.MaxUserNameLength], SourceNetwork.Of(source));
}
