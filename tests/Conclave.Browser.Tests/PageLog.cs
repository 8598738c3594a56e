using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>What a page wrote to its console and the errors it threw: named in a failing test's message.</summary>
internal static class PageLog
{
    private const int MaxLines = 200;
    private static readonly ConditionalWeakTable<IPage, ConcurrentQueue<string>> Logs = new();

    public static void Attach(IPage page)
    {
        var lines = Logs.GetOrCreateValue(page);
        page.Console += (_, message) => Add(lines, $"{message.Type}: {message.Text}");
        page.PageError += (_, error) => Add(lines, $"page error: {error}");
        page.Worker += (_, worker) => worker.Close += (_, _) => Add(lines, "worker closed");
    }

    public static string Of(IPage page) => Logs.TryGetValue(page, out var lines) ? string.Join(Environment.NewLine, lines) : "";

    private static void Add(ConcurrentQueue<string> lines, string line)
    {
        lines.Enqueue(line);
        while (lines.Count > MaxLines) lines.TryDequeue(out _);
    }
}
