using AclOperator.Server.Configuration;
using Xunit;

namespace AclOperator.Server.Tests.Configuration;

public sealed class SdsArgsTests
{
    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("\"a\\x41\\n\" 'it\\'s'", new[] { "aA\n", "it's" })]
    [InlineData("x\"y z\"", new[] { "xy z" })]
    [InlineData("\"\"", new[] { "" })]
    [InlineData("a\vb", new[] { "a\vb" })]
    public void Splits_like_sdssplitargs(string line, string[] expected) => Assert.Equal(expected, SdsArgs.Split(line));

    [Theory]
    [InlineData("\"abc")]
    [InlineData("'abc")]
    [InlineData("\"a\"b")]
    public void Unbalanced_quotes_are_null(string line) => Assert.Null(SdsArgs.Split(line));

    [Fact]
    public void Repr_round_trips()
    {
        string s = "a \"b\"\\\n\x01";
        Assert.Equal("\"a \\\"b\\\"\\\\\\n\\x01\"", SdsArgs.Repr(s));
        Assert.Equal([s], SdsArgs.Split(SdsArgs.Repr(s)));
    }

    [Theory]
    [InlineData("1gb", 1073741824UL)]
    [InlineData("512MB", 536870912UL)]
    [InlineData("100k", 100000UL)]
    [InlineData("2kb", 2048UL)]
    [InlineData("7", 7UL)]
    [InlineData("", 0UL)]
    public void Memory_units(string s, ulong expected)
    {
        Assert.True(ConfigNumbers.TryParseMemory(s, out ulong v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1tb")]
    [InlineData("1 gb")]
    public void Bad_memory_values(string s) => Assert.False(ConfigNumbers.TryParseMemory(s, out _));
}
