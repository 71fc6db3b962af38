namespace AclOperator.Operator.Tests.Support;

/// <summary>A clock the test moves by hand (only <see cref="GetUtcNow"/>: the code under test is driven by direct calls).</summary>
internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
