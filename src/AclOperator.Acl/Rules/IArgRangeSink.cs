namespace AclOperator.Acl.Rules;

/// <summary>Receives the tokens <see cref="SdsSplitArgs.SplitInPlace{TSink}"/> finds, as ranges of the split buffer.</summary>
public interface IArgRangeSink
{
    void Add(int offset, int length);
}
