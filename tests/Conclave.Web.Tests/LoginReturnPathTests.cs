using Conclave.Web.Console;

namespace Conclave.Web.Tests;

/// <summary>
/// After login the browser goes back to the page it came from, but only to a path on this
/// appliance: anything else would make the login page an open redirect.
/// </summary>
public sealed class LoginReturnPathTests
{
    [Theory]
    [InlineData("/console/meetings/m1")]
    [InlineData("/m/weekly-sync")]
    [InlineData("/console?page=2#top")]
    [InlineData("/x")]
    public void A_path_on_this_appliance_is_kept(string path) =>
        Assert.Equal(path, LoginPages.LocalPath(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("console")]
    [InlineData("\\\\evil.example")]
    [InlineData("/\t/evil.example/")]
    [InlineData("/\n/evil.example/")]
    [InlineData("/console\r\nSet-Cookie: x=1")]
    [InlineData("/m/caf\u00e9")]
    public void Anything_else_goes_to_the_console(string? path) =>
        Assert.Equal("/console", LoginPages.LocalPath(path));

    [Fact]
    public void A_path_of_512_characters_or_more_goes_to_the_console()
    {
        string longest = "/" + new string('a', 510);
        Assert.Equal(longest, LoginPages.LocalPath(longest));
        Assert.Equal("/console", LoginPages.LocalPath(longest + "a"));
    }
}
