using System.Text;

namespace Conclave.Browser.Tests;

/// <summary>
/// Everything written to the console from now on, still passed through: conclaved logs to the
/// console (journald in production), so this is what it would have logged.
/// </summary>
internal sealed class CapturedConsole : TextWriter
{
    private readonly TextWriter _passThrough;
    private readonly StringBuilder _captured = new();

    private CapturedConsole(TextWriter passThrough) => _passThrough = passThrough;

    public override Encoding Encoding => _passThrough.Encoding;

    public static CapturedConsole Start()
    {
        var captured = new CapturedConsole(Console.Out);
        Console.SetOut(captured);
        return captured;
    }

    public string Text
    {
        get
        {
            lock (_captured) return _captured.ToString();
        }
    }

    public override void Write(char value)
    {
        lock (_captured) _captured.Append(value);
        _passThrough.Write(value);
    }

    public override void Write(string? value)
    {
        lock (_captured) _captured.Append(value);
        _passThrough.Write(value);
    }
}
