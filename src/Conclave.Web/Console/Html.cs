using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Conclave.Web.Console;

/// <summary>
/// Markup that is safe to send: built by <see cref="Of"/>, whose interpolation holes are
/// HTML-encoded unless they are <see cref="Html"/> themselves. Encoding is the default, so a
/// display name such as &lt;script&gt; can only ever appear as text.
/// </summary>
public readonly struct Html(string value)
{
    public static Html Empty { get; } = new("");

    public string Value => value ?? "";

    public static Html Of(ref HtmlBuilder builder) => builder.ToHtml();

    public static Html Join(IEnumerable<Html> parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts) text.Append(part.Value);
        return new Html(text.ToString());
    }

    public static Html When(bool condition, Html html) => condition ? html : Empty;

    public override string ToString() => Value;
}

[InterpolatedStringHandler]
public ref struct HtmlBuilder
{
    private readonly StringBuilder _text;

    public HtmlBuilder(int literalLength, int formattedCount) => _text = new StringBuilder(literalLength + formattedCount * 16);

    public readonly void AppendLiteral(string literal) => _text.Append(literal);

    public readonly void AppendFormatted(Html html) => _text.Append(html.Value);

    public readonly void AppendFormatted(IEnumerable<Html> parts)
    {
        foreach (var part in parts) _text.Append(part.Value);
    }

    public readonly void AppendFormatted(string? text) => _text.Append(HtmlEncoder.Default.Encode(text ?? ""));

    public readonly void AppendFormatted<T>(T value, string? format = null) =>
        AppendFormatted(value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());

    public readonly Html ToHtml() => new(_text.ToString());
}
