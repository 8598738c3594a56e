using Conclave.Meetings.Audit;
using Serilog.Core;
using Serilog.Events;

namespace Conclave.Daemon;

/// <summary>
/// Writes every string logged as one printable line: a value a stranger chose (a
/// signalling message type, a parser's quote of it) with a newline in it would otherwise
/// start a journald line of its own, with a "&lt;2&gt;" priority prefix of the stranger's
/// choosing (sd-daemon(3)). Control characters become \xNN escapes, as in the audit log.
/// </summary>
internal sealed class PrintableLogValues : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && NeedsEscaping(text))
            {
                (escaped ??= []).Add(new LogEventProperty(name, new ScalarValue(AuditText.Printable(text))));
            }
        }
        if (escaped is null) return;
        foreach (var property in escaped) logEvent.AddOrUpdateProperty(property);
    }

    private static bool NeedsEscaping(string text)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator) return true;
        }
        return false;
    }
}
