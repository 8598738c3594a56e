using System.Diagnostics.CodeAnalysis;

namespace Conclave.Fuzz;

/// <summary>A property a target asserts failed; under afl-fuzz the input is saved as a crash.</summary>
public sealed class InvariantViolationException(string message) : Exception(message);

internal static class Invariant
{
    /// <param name="what">What should be true, as a constant: building the text must cost nothing per input.</param>
    public static void Holds([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition) throw new InvariantViolationException(what);
    }
}
