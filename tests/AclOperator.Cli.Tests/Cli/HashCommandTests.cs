using System.Security.Cryptography;
using System.Text;
using AclOperator.Cli.Tests.Support;

namespace AclOperator.Cli.Tests.Cli;

/// <summary><c>aclctl hash</c>: SHA-256 hex of standard input (one trailing newline removed), never the password.</summary>
public sealed class HashCommandTests
{
    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    [Theory]
    [InlineData("secret\n", "secret")]
    [InlineData("secret\r\n", "secret")]
    [InlineData("secret", "secret")]
    [InlineData("two words\n\n", "two words\n")]
    [InlineData("pässwörd\n", "pässwörd")]
    public async Task Prints_the_sha256_hex_of_the_password(string stdin, string password)
    {
        var r = await AclctlRun.InProcessWithInputAsync(Path.GetTempPath(), stdin, null, "hash");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Sha256(password) + "\n", r.Out);
        Assert.Equal("", r.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    public async Task An_empty_password_is_an_error(string stdin)
    {
        var r = await AclctlRun.InProcessWithInputAsync(Path.GetTempPath(), stdin, null, "hash");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal("aclctl hash: no password on standard input\n", r.Error);
    }

    [Fact]
    public async Task The_executable_hashes_a_piped_password_and_never_prints_it()
    {
        var r = await AclctlRun.ProcessAsync(Path.GetTempPath(), "s3cret-Passw0rd\n", "hash");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Sha256("s3cret-Passw0rd") + "\n", r.Out);
        Assert.DoesNotContain("s3cret", r.Out + r.Error, StringComparison.Ordinal);
    }
}
