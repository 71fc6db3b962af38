using AclOperator.Server.Configuration;
using Xunit;

namespace AclOperator.Server.Tests.Configuration;

/// <summary>Start-up errors never print a password (Redis's fatal block echoes the offending line verbatim).</summary>
public sealed class SecretRedactionTests
{
    [Fact]
    public void Fatal_config_errors_redact_password_directives_and_password_rules()
    {
        var requirepass = ConfigFileParser.Parse("requirepass s3cret extra\n");
        Assert.NotNull(requirepass.Error);
        Assert.DoesNotContain("s3cret", requirepass.Error, StringComparison.Ordinal);
        Assert.Contains(">>> 'requirepass (redacted)'", requirepass.Error, StringComparison.Ordinal);

        var user = ConfigFileParser.Parse("user bob on >hunter2 badtoken\n");
        Assert.NotNull(user.Error);
        Assert.DoesNotContain("hunter2", user.Error, StringComparison.Ordinal);
        Assert.Contains(">>> 'user bob on >(redacted) badtoken'", user.Error, StringComparison.Ordinal);

        // The off-by-2 token of Redis's "Error in user declaration" can be the password rule itself.
        Assert.Equal("Error in user declaration '>(redacted)': Syntax error",
            ConfigFileParser.RedactQuotedPasswordRules("Error in user declaration '>hunter2': Syntax error"));
    }
}
