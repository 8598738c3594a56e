using System.Globalization;
using Conclave.Web.Console;

namespace Conclave.Web.Tests;

public sealed class HtmlTests
{
    private sealed record Named(string Name);

    [Fact]
    public void A_string_hole_is_html_encoded_so_markup_in_it_stays_text()
    {
        string name = "<script>alert('x')</script>";
        Assert.Equal("<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</p>", Html.Of($"<p>{name}</p>").Value);
    }

    [Fact]
    public void A_hole_inside_an_attribute_cannot_close_the_attribute()
    {
        string value = "\" autofocus onfocus=\"alert(1)";
        Assert.Equal("<input value=\"&quot; autofocus onfocus=&quot;alert(1)\">", Html.Of($"<input value=\"{value}\">").Value);
    }

    [Fact]
    public void The_literal_parts_are_kept_as_written() =>
        Assert.Equal("<a href=\"/console\">Home &amp; away</a>", Html.Of($"<a href=\"/console\">Home &amp; away</a>").Value);

    [Fact]
    public void A_nested_html_hole_is_not_encoded_twice()
    {
        string text = "Q&A <live>";
        var inner = Html.Of($"<b>{text}</b>");
        Assert.Equal("<p><b>Q&amp;A &lt;live&gt;</b></p>", Html.Of($"<p>{inner}</p>").Value);
    }

    [Fact]
    public void A_sequence_of_html_holes_is_concatenated_without_encoding()
    {
        IEnumerable<Html> items = new[] { "a&b", "<c>" }.Select(s => Html.Of($"<li>{s}</li>"));
        Assert.Equal("<ul><li>a&amp;b</li><li>&lt;c&gt;</li></ul>", Html.Of($"<ul>{items}</ul>").Value);
    }

    [Fact]
    public void A_list_or_array_of_html_holes_renders_its_items_not_its_type_name()
    {
        List<Html> list = [Html.Of($"<li>{"a&b"}</li>"), Html.Trusted("<li>c</li>")];
        Html[] array = [.. list];
        Assert.Equal("<ul><li>a&amp;b</li><li>c</li></ul>", Html.Of($"<ul>{list}</ul>").Value);
        Assert.Equal("<ul><li>a&amp;b</li><li>c</li></ul>", Html.Of($"<ul>{array}</ul>").Value);
    }

    [Fact]
    public void A_nullable_html_hole_is_not_encoded_and_null_is_empty()
    {
        Html? some = Html.Trusted("<hr>");
        Html? none = null;
        Assert.Equal("<p><hr></p><p></p>", Html.Of($"<p>{some}</p><p>{none}</p>").Value);
    }

    [Fact]
    public void Trusted_markup_is_kept_as_written() =>
        Assert.Equal("<b>&amp;</b>", Html.Trusted("<b>&amp;</b>").Value);

    [Fact]
    public void A_null_string_hole_is_empty() =>
        Assert.Equal("<p></p>", Html.Of($"<p>{(string?)null}</p>").Value);

    [Fact]
    public void Numbers_and_dates_are_formatted_in_the_invariant_culture_whatever_the_thread_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            // The appliance runs with invariant globalization: a culture that writes "1234,5" is made by hand.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.DateTimeFormat.DateSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("1234,5", 1234.5.ToString(CultureInfo.CurrentCulture));
            var at = new DateTimeOffset(2025, 3, 4, 5, 6, 0, TimeSpan.Zero);
            Assert.Equal("<td>1234.5</td><td>2025/03/04 05:06</td>", Html.Of($"<td>{1234.5}</td><td>{at:yyyy/MM/dd HH:mm}</td>").Value);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Any_other_value_is_encoded_through_its_text() =>
        Assert.Equal("<p>Named { Name = &lt;i&gt; }</p>", Html.Of($"<p>{new Named("<i>")}</p>").Value);

    [Fact]
    public void Join_concatenates_and_When_gives_the_markup_only_when_asked()
    {
        Assert.Equal("<i>1</i><i>2</i>", Html.Join([Html.Trusted("<i>1</i>"), Html.Trusted("<i>2</i>")]).Value);
        Assert.Equal(" checked", Html.When(true, Html.Trusted(" checked")).Value);
        Assert.Equal("", Html.When(false, Html.Trusted(" checked")).Value);
    }

    [Fact]
    public void A_default_html_is_empty_not_null() =>
        Assert.Equal("", default(Html).Value);
}
