using System.Diagnostics;

namespace Conclave.Browser.Tests;

/// <summary>Polls a condition until it holds or time runs out; the failure names what was last seen.</summary>
internal static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> observe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        T last = await observe();
        while (!condition(last))
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout.TotalSeconds:0.#} s; last seen: {Describe(last)}");
            }
            await Task.Delay(250);
            last = await observe();
        }
        return last;
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IDictionary dictionary => string.Join("; ", dictionary.Keys.Cast<object>().Select(k => $"{k}={dictionary[k]}")),
        _ => value?.ToString() ?? "null",
    };
}
