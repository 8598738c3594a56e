namespace Conclave.Meetings.Accounts;

/// <summary>
/// Argon2id cost parameters (RFC 9106 §3.1): memory size m in KiB, passes t, lanes p.
/// Stored with every hash, so they can be raised later without invalidating old hashes.
/// </summary>
public sealed record Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism)
{
    public const int MaxParallelism = 16;

    /// <summary>A ceiling so a tampered or mistyped stored hash cannot make one login allocate without bound.</summary>
    public const int MaxMemoryKiB = 1024 * 1024;

    /// <summary>Likewise for passes: a stored t=1000000 must not turn one login into hours of work.</summary>
    public const int MaxIterations = 64;

    /// <summary>The OWASP Password Storage Cheat Sheet's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.</summary>
    public static Argon2Parameters Default { get; } = new(19 * 1024, 2, 1);

    // Get-only (no init) so a `with` expression cannot skip the validation below.
    public int MemoryKiB { get; } = Validated(MemoryKiB, Iterations, Parallelism);
    public int Iterations { get; } = Iterations;
    public int Parallelism { get; } = Parallelism;

    /// <summary>Whether the constructor would accept these values; lets a parser refuse them without catching.</summary>
    internal static bool AreValid(int memoryKiB, int iterations, int parallelism) =>
        Problem(memoryKiB, iterations, parallelism) is null;

    private static int Validated(int memoryKiB, int iterations, int parallelism) =>
        Problem(memoryKiB, iterations, parallelism) is { } problem ? throw new ArgumentException(problem) : memoryKiB;

    private static string? Problem(int memoryKiB, int iterations, int parallelism) =>
        parallelism is < 1 or > MaxParallelism ? $"Argon2 parallelism must be 1 to {MaxParallelism}, not {parallelism}."
        : iterations is < 1 or > MaxIterations ? $"Argon2 passes must be 1 to {MaxIterations}, not {iterations}."
        // RFC 9106 §3.1: m must be at least 8*p KiB.
        : memoryKiB < 8 * parallelism ? $"Argon2 memory must be at least 8 KiB per lane ({8 * parallelism} KiB), not {memoryKiB} KiB."
        : memoryKiB > MaxMemoryKiB ? $"Argon2 memory must be at most {MaxMemoryKiB} KiB (1 GiB), not {memoryKiB} KiB."
        : null;
}
