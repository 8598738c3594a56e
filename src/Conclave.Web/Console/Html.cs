using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Conclave.Web.Console;

/// <summary>
/// Markup that is safe to send: built by <see cref="Of"/>, whose interpolation holes are
/// HTML-encoded unless they are <see cref="Html"/> themselves (or sequences of it). Encoding is
/// the default, so a display name such as &lt;script&gt; can only ever appear as text; the only
/// other way in is <see cref="Trusted"/>, which takes constants.
/// </summary>
public readonly struct Html
{
    private readonly string? _value;

    private Html(string value) => _value = value;

    public static Html Empty { get; } = new("");

    public string Value => _value ?? "";

    public static Html Of(ref HtmlBuilder builder) => new(builder.ToString());

    /// <summary>Markup written into the code itself: the analyzer (CA1857) refuses a value that is not a constant.</summary>
    public static Html Trusted([ConstantExpected] string markup) => new(markup);

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

    /// <summary>
    /// Any other value is encoded through its text — except markup that overload resolution
    /// sends here: a <c>List&lt;Html&gt;</c> or <c>Html[]</c> (the generic overload binds better than
    /// the IEnumerable one) or an <c>Html?</c>, which must not be encoded a second time.
    /// </summary>
    public readonly void AppendFormatted<T>(T value, string? format = null)
    {
        switch (value)
        {
            case Html html:
                AppendFormatted(html);
                break;
            case IEnumerable<Html> parts:
                AppendFormatted(parts);
                break;
            default:
                AppendFormatted(value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());
                break;
        }
    }

    /// <summary>The markup so far, every hole already encoded.</summary>
    public override readonly string ToString() => _text.ToString();
}
