// Types for ArchitectureCheckTests only: each namespace below uses Target in one way the dependency reader must see.
namespace OpsPipeline.Core.Tests.Architecture.Fixture.Target
{
    internal sealed class Leaf
    {
        public static int Touch() => 1;
    }
}

namespace OpsPipeline.Core.Tests.Architecture.Fixture
{
    internal sealed class MarkerAttribute(Type type) : Attribute
    {
        public Type Type { get; } = type;
    }
}

namespace OpsPipeline.Core.Tests.Architecture.Fixture.Body
{
    internal static class User
    {
        /// <summary>Target appears only in the method body, as a call.</summary>
        public static int Run() => Target.Leaf.Touch();
    }
}

namespace OpsPipeline.Core.Tests.Architecture.Fixture.Lambda
{
    internal static class User
    {
        /// <summary>Target appears only inside a lambda, compiled into a nested closure type.</summary>
        public static Func<int, int> Run() => x => x + Target.Leaf.Touch();
    }
}

namespace OpsPipeline.Core.Tests.Architecture.Fixture.Signature
{
    internal static class User
    {
        /// <summary>Target appears only as a parameter type, inside a generic argument.</summary>
        public static int Run(IReadOnlyList<Target.Leaf> leaves) => leaves.Count;
    }
}

namespace OpsPipeline.Core.Tests.Architecture.Fixture.TypeOf
{
    /// <summary>Target appears only in an attribute's typeof argument, as a generic argument.</summary>
    [Marker(typeof(List<Target.Leaf>))]
    internal static class User;
}
