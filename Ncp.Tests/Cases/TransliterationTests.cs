using Ncp.Api.Cases;

namespace Ncp.Tests.Cases;

public sealed class TransliterationTests
{
    [Theory]
    [InlineData("Жанибек", "Zhanibek")]
    [InlineData("Жанибек", "Janibek")]
    [InlineData("Хасанов", "Khasanov")]
    [InlineData("Хасанов", "Hasanov")]
    [InlineData("Юлия", "Yulia")]
    [InlineData("Юлия", "Julia")]
    [InlineData("Юлия", "Iuliia")]
    [InlineData("Цой", "Tsoy")]
    [InlineData("Евгений", "Yevgeniy")]
    [InlineData("Ерлан", "Yerlan")]
    [InlineData("Нұрсұлтан Әбішұлы", "Nursultan Abishuly")]
    [InlineData("Қайрат", "Kairat")]
    [InlineData("Андреев", "Andreyev")]
    public void Cyrillic_and_Latin_spellings_of_a_name_fold_to_the_same_text(string cyrillic, string latin) =>
        Assert.Equal(Transliteration.ForSearch(cyrillic), Transliteration.ForSearch(latin));

    [Fact]
    public void Numbers_are_kept_whole() =>
        Assert.Equal("kz-ncp-2026-000100", Transliteration.ForSearch("KZ-NCP-2026-000100"));

    [Fact]
    public void Different_names_stay_different() =>
        Assert.NotEqual(Transliteration.ForSearch("Иванов"), Transliteration.ForSearch("Ivanova"));
}
