using Serilog.Events;
using Serilog.Parsing;

namespace Conclave.Daemon.Tests;

/// <summary>A logged value a stranger chose cannot start a journald line of its own.</summary>
public sealed class PrintableLogValuesTests
{
    [Theory]
    [InlineData("dance\n<2>conclaved: token stolen")]
    [InlineData("dance\r\n<2>forged")]
    [InlineData("\u001b[2Jcleared terminal")]
    [InlineData("line\u2028separator")]
    public void A_value_with_control_characters_is_logged_as_one_printable_line(string hostile)
    {
        var logEvent = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("Signalling refused a message ({Code}): {Reason}"),
            [new LogEventProperty("Code", new ScalarValue("malformed")), new LogEventProperty("Reason", new ScalarValue($"unknown message type '{hostile}'"))]);

        new PrintableLogValues().Enrich(logEvent, null!);

        string line = logEvent.RenderMessage();
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\u2028', line);
        Assert.StartsWith("Signalling refused a message (\"malformed\"): \"unknown message type '", line);
    }

    [Fact]
    public void Printable_values_are_left_as_they_are()
    {
        var reason = new ScalarValue("answer names offer revision 3");
        var logEvent = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("{Reason}"), [new LogEventProperty("Reason", reason)]);

        new PrintableLogValues().Enrich(logEvent, null!);

        Assert.Same(reason, logEvent.Properties["Reason"]);
    }
}
