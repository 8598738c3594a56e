using Conclave.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conclave.Daemon;

/// <summary>
/// Notices a token that goes away while the daemon runs (media goes on; anything that
/// needs a key fails) and says so once in the log, and again when it is back.
/// </summary>
internal sealed partial class TokenWatch(Token token, ILogger<TokenWatch> logger) : BackgroundService
{
    /// <summary>Often enough that an operator sees the log line before users notice; cheap for the token.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool reachable = true;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                token.EnsureReachable();
                if (!reachable) LogBack(logger, token.Label);
                reachable = true;
            }
            catch (TokenException e)
            {
                if (reachable) LogLost(logger, token.Label, e.Message);
                reachable = false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Token {TokenLabel} is unreachable: {Reason}. Media goes on; signing, unwrapping and new HTTPS keys fail until it is back.")]
    private static partial void LogLost(ILogger logger, string tokenLabel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token {TokenLabel} is reachable again.")]
    private static partial void LogBack(ILogger logger, string tokenLabel);
}
