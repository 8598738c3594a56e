using Serilog.Core;
using Serilog.Events;

namespace Conclave.Daemon;

/// <summary>Adds the sd-daemon(3) "&lt;N&gt;" prefix so journald files each line at its priority.</summary>
internal sealed class SyslogPriorityEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        string prefix = logEvent.Level switch
        {
            LogEventLevel.Fatal => "<2>",
            LogEventLevel.Error => "<3>",
            LogEventLevel.Warning => "<4>",
            LogEventLevel.Information => "<6>",
            _ => "<7>",
        };
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("SyslogPriority", prefix));
    }
}
