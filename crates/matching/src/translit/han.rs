//! Korean and Japanese readings of names written in Han characters.
//!
//! A name in Han characters at a border post may be Chinese, Korean or
//! Japanese: 金正恩 is Kim Jong Un in Korean and Jin Zheng'en in Mandarin,
//! 山田太郎 is Yamada Taro. The characters do not say which, so the
//! matcher reads such a name every way it can (see `prepare::prepare_all`)
//! and keeps the reading that matches best.
//!
//! The tables are this crate's own, written from public references on
//! names (the most common Korean surnames and the hanja of Korean given
//! names, the most common Japanese surnames and given names):
//!
//! - **Korean**: a character's Sino-Korean reading as one Hangul syllable in
//!   its original form (李 리, 柳 류, 林 림, 羅 라, 龍 룡), romanized by
//!   `hangul::word` the way a name typed in Hangul is. The South Korean
//!   spelling applies the initial-sound rule (두음법칙) to the first
//!   syllable of the surname and of the given name (리 → 이, 류 → 유,
//!   라 → 나); the North Korean spelling keeps the original (Ri, Ryu, Rim).
//!   Surname then given name, one part per syllable ("kim jeong eun").
//! - **Japanese**: whole-word readings of common surnames (山田 yamada) and
//!   given names (太郎 taro, 花子 hanako), plus the usual name reading of
//!   single characters (健 ken, 二 ji) for given names not in the word
//!   table; Hepburn without long-vowel marks, as lists write them (Sato,
//!   Ito, Ono). A run of characters is read as a surname followed by a
//!   given name; a run the tables cannot cover has no Japanese reading.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Which reading of Han characters a name is prepared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HanReading {
    /// Pinyin through the generic fallback (the default).
    Mandarin,
    /// Sino-Korean, South Korean spelling (initial-sound rule applied).
    KoreanSouth,
    /// Sino-Korean, North Korean spelling (no initial-sound rule).
    KoreanNorth,
    Japanese,
}

impl HanReading {
    /// How the explanation names the reading.
    pub fn label(self) -> &'static str {
        match self {
            HanReading::Mandarin => "Mandarin reading",
            HanReading::KoreanSouth => "Sino-Korean reading",
            HanReading::KoreanNorth => "Sino-Korean reading, North Korean spelling",
            HanReading::Japanese => "Japanese reading",
        }
    }
}

/// Hanja → Sino-Korean syllable (original form, before the initial-sound
/// rule). Traditional forms first; simplified Chinese and Japanese
/// shinjitai forms of name characters follow with the same readings.
const KOREAN: &str = "\
金김 李리 朴박 崔최 鄭정 姜강 趙조 尹윤 張장 林림 韓한 吳오 徐서 申신 權권 黃황 安안 宋송 \
柳류 劉류 全전 洪홍 高고 文문 孫손 梁량 裵배 裴배 白백 曺조 曹조 許허 南남 沈심 盧로 河하 丁정 \
成성 車차 具구 郭곽 禹우 朱주 任임 羅라 辛신 閔민 陳진 池지 嚴엄 元원 蔡채 千천 方방 孔공 康강 \
玄현 咸함 卞변 廉렴 楊양 邊변 呂려 秋추 魯로 都도 蘇소 愼신 慎신 石석 宣선 薛설 馬마 吉길 周주 \
延연 房방 表표 魏위 明명 奇기 潘반 王왕 琴금 玉옥 陸륙 印인 孟맹 諸제 卓탁 秦진 宮궁 葛갈 \
皇황 甫보 鮮선 于우 司사 空공 獨독 孤고 西서 門문 慶경 夫부 片편 龍룡 余여 睦목 殷은 奉봉 \
太태 史사 芮예 邢형 景경 董동 程정 陰음 \
正정 日일 恩은 哲철 英영 永영 榮영 秀수 洙수 壽수 守수 民민 敏민 玟민 珉민 旼민 俊준 準준 \
峻준 浚준 濬준 埈준 賢현 鉉현 炫현 顯현 東동 錫석 碩석 浩호 鎬호 昊호 虎호 晧호 豪호 鎭진 鎮진 \
眞진 真진 珍진 振진 辰진 晋진 晉진 相상 尙상 尚상 祥상 常상 在재 載재 宰재 材재 才재 栽재 哉재 \
泰태 兌태 源원 原원 遠원 媛원 圓원 苑원 園원 基기 起기 琪기 淇기 炳병 秉병 丙병 柄병 昌창 彰창 \
昶창 承승 勝승 昇승 鍾종 鐘종 宗종 種종 琮종 淑숙 熙희 喜희 姬희 姫희 希희 禧희 熹희 美미 \
順순 淳순 純순 舜순 旬순 珣순 珠주 柱주 株주 宙주 智지 志지 知지 之지 芝지 址지 枝지 允윤 潤윤 \
胤윤 玧윤 慧혜 惠혜 蕙혜 仁인 寅인 海해 夏하 荷하 漢한 翰한 光광 廣광 國국 国국 大대 代대 德덕 \
徳덕 道도 度도 斗두 勇용 容용 鏞용 用용 庸용 雄웅 雲운 云운 運운 芸운 武무 茂무 戊무 命명 \
銘명 福복 富부 芙부 思사 士사 四사 師사 三삼 森삼 仙선 善선 先선 璇선 燮섭 聖성 星성 盛성 誠성 \
性성 晟성 城성 世세 小소 昭소 素소 韶소 松송 頌송 修수 琇수 植식 湜식 軾식 信신 新신 實실 心심 \
雅아 岩암 岳악 愛애 良량 亮량 彦언 然연 淵연 妍연 姸연 燕연 蓮련 烈렬 悅열 炎염 玉옥 溫온 \
完완 旺왕 堯요 曜요 要요 祐우 佑우 宇우 雨우 友우 愚우 羽우 旭욱 昱욱 郁욱 頊욱 煜욱 蔚울 \
月월 偉위 位위 渭위 有유 裕유 維유 儒유 侑유 惟유 兪유 唯유 庾유 融융 隆륭 銀은 垠은 誾은 乙을 \
音음 應응 義의 宜의 儀의 毅의 懿의 伊이 二이 以이 怡이 益익 翼익 翊익 一일 逸일 壹일 稔임 \
子자 慈자 資자 作작 爵작 長장 章장 莊장 璋장 將장 丈장 典전 田전 貞정 晶정 廷정 庭정 政정 靜정 \
静정 禎정 祖조 朝조 佐좌 中중 重중 仲중 直직 采채 彩채 天천 川천 泉천 喆철 徹철 澈철 淸청 清청 \
靑청 青청 草초 忠충 春춘 治치 致치 七칠 澤택 宅택 平평 杓표 弼필 必필 學학 学학 鶴학 行행 \
幸행 香향 憲헌 赫혁 革혁 爀혁 亨형 炯형 衡형 馨형 兄형 好호 弘홍 鴻홍 和화 華화 花화 化화 \
煥환 桓환 晃황 滉황 會회 孝효 曉효 暁효 勳훈 勲훈 薰훈 訓훈 熏훈 輝휘 揮휘 欽흠 興흥 錦금 \
今금 根근 槿근 瑾근 炅경 京경 敬경 卿경 庚경 鏡경 耕경 璟경 經경 桂계 啓계 坤곤 公공 官관 \
寬관 觀관 冠관 九구 求구 久구 貴귀 圭규 奎규 揆규 珪규 均균 克극 男남 楠남 乃내 寧녕 年년 \
農농 丹단 旦단 端단 達달 潭담 淡담 談담 唐당 堂당 敦돈 燉돈 童동 桐동 得득 登등 洛락 樂락 \
蘭란 浪랑 來래 麗려 力력 鍊련 禮례 路로 綠록 流류 倫륜 律률 利리 理리 里리 麟린 立립 萬만 \
万만 晩만 滿만 梅매 勉면 冕면 模모 木목 妙묘 默묵 汶문 聞문 博박 範범 凡범 法법 碧벽 寶보 \
普보 輔보 本본 鳳봉 峰봉 逢봉 北북 彬빈 斌빈 賓빈 山산 上상 瑞서 緖서 敍서 雪설 崇숭 時시 \
始시 詩시 晏안 也야 若약 陽양 洋양 揚양 養양 汝여 如여 暎영 映영 瑛영 泳영 穎영 藝예 睿예 \
叡예 五오 午오 吾오 悟오 王왕 人인 壬임 杰걸 傑걸 乾건 建건 健건 鍵건 格격 堅견 見견 結결 \
潔결 謙겸 兼겸 甲갑 江강 剛강 岡강 鋼강 綱강 介개 開개 凱개 居거 巨거 擧거 可가 佳가 嘉가 \
家가 珂가 角각 珏각 閣각 間간 幹간 侃간 甘감 鑑감 感감 \
郑정 赵조 张장 韩한 吴오 权권 黄황 刘류 孙손 许허 卢로 车차 罗라 闵민 陈진 严엄 杨양 边변 \
吕려 苏소 东동 荣영 寿수 锡석 镇진 载재 钟종 顺순 贤현 铉현 显현 泽택 华화 勋훈 辉휘 兴흥 \
庆경 经경 贵귀 宁녕 乐락 兰란 来래 丽려 礼례 龙룡 伦륜 满만 宝보 凤봉 时시 实실 爱애 阳양 \
艺예 温온 远원 园원 伟위 义의 仪의 应응 长장 将장 坚견 洁결 谦겸 刚강 钢강 纲강 开개 举거 \
阁각 鉴감 贞정 祯정 种종 宽관 观관 汉한 铁철 恵혜 広광 栄영 沢택 竜룡 権권 辺변 斉제 浜빈 \
鉄철 輝휘 銭전 錢전";

/// Family names whose reading as a surname differs from the character's
/// usual reading in a given name (金: 김 as a surname, 금 otherwise).
const KOREAN_SURNAME: &str = "金김";

/// Two-character Korean family names.
const KOREAN_DOUBLE_SURNAMES: &[&str] = &[
    "南宮", "諸葛", "皇甫", "鮮于", "司空", "獨孤", "西門", "东方", "東方", "诸葛",
];

/// Common Japanese family names (the most frequent ~250 and well-known
/// ones), shinjitai with the kyujitai or simplified Chinese forms lists
/// also use.
const JAPANESE_SURNAMES: &str = "\
佐藤:sato 鈴木:suzuki 高橋:takahashi 田中:tanaka 伊藤:ito 渡辺:watanabe 渡邊:watanabe 渡邉:watanabe \
山本:yamamoto 中村:nakamura 小林:kobayashi 加藤:kato 吉田:yoshida 山田:yamada 佐々木:sasaki 佐佐木:sasaki \
山口:yamaguchi 松本:matsumoto 井上:inoue 木村:kimura 林:hayashi 斎藤:saito 斉藤:saito 齋藤:saito \
齊藤:saito 清水:shimizu 山崎:yamazaki 森:mori 池田:ikeda 橋本:hashimoto 阿部:abe 安倍:abe 石川:ishikawa \
山下:yamashita 中島:nakajima 石井:ishii 小川:ogawa 前田:maeda 岡田:okada 長谷川:hasegawa 藤田:fujita \
後藤:goto 近藤:kondo 村上:murakami 遠藤:endo 青木:aoki 坂本:sakamoto 福田:fukuda 太田:ota 西村:nishimura \
藤井:fujii 金子:kaneko 岡本:okamoto 藤原:fujiwara 中野:nakano 三浦:miura 原田:harada 中川:nakagawa \
松田:matsuda 竹内:takeuchi 小野:ono 田村:tamura 中山:nakayama 和田:wada 石田:ishida 森田:morita \
上田:ueda 原:hara 内田:uchida 柴田:shibata 酒井:sakai 宮崎:miyazaki 横山:yokoyama 高木:takagi \
安藤:ando 宮本:miyamoto 大野:ono 小島:kojima 谷口:taniguchi 今井:imai 工藤:kudo 高田:takada 増田:masuda \
丸山:maruyama 杉山:sugiyama 村田:murata 大塚:otsuka 新井:arai 小山:koyama 平野:hirano 藤本:fujimoto \
河野:kono 上野:ueno 野口:noguchi 武田:takeda 松井:matsui 千葉:chiba 岩崎:iwasaki 菅原:sugawara \
木下:kinoshita 久保:kubo 佐野:sano 野村:nomura 松尾:matsuo 市川:ichikawa 菊地:kikuchi 菊池:kikuchi \
杉本:sugimoto 古川:furukawa 大西:onishi 島田:shimada 水野:mizuno 桜井:sakurai 櫻井:sakurai 高野:takano \
渡部:watanabe 吉川:yoshikawa 山内:yamauchi 西田:nishida 飯田:iida 西川:nishikawa 小松:komatsu \
北村:kitamura 安田:yasuda 五十嵐:igarashi 川口:kawaguchi 平田:hirata 関:seki 中田:nakata 久保田:kubota \
服部:hattori 東:higashi 岩田:iwata 土屋:tsuchiya 川崎:kawasaki 福島:fukushima 本田:honda 辻:tsuji \
樋口:higuchi 秋山:akiyama 田口:taguchi 永井:nagai 山中:yamanaka 中西:nakanishi 吉村:yoshimura \
川上:kawakami 石原:ishihara 大橋:ohashi 松岡:matsuoka 馬場:baba 浅野:asano 荒木:araki 大久保:okubo \
野田:noda 小池:koike 松下:matsushita 吉岡:yoshioka 大川:okawa 熊谷:kumagai 小西:konishi 南:minami \
川村:kawamura 内藤:naito 松浦:matsuura 岩本:iwamoto 須藤:sudo 高山:takayama 黒田:kuroda 早川:hayakawa \
桑原:kuwabara 大谷:otani 星野:hoshino 望月:mochizuki 堀:hori 田辺:tanabe 尾崎:ozaki 永田:nagata \
西山:nishiyama 菅野:sugano 松村:matsumura 萩原:hagiwara 榊原:sakakibara 大石:oishi 小田:oda \
岸田:kishida 菅:suga 麻生:aso 小泉:koizumi 鳩山:hatoyama 石破:ishiba 福岡:fukuoka 中曽根:nakasone \
竹下:takeshita 宮沢:miyazawa 宮澤:miyazawa 細川:hosokawa 羽田:hata 橋口:hashiguchi 森本:morimoto \
宮田:miyata 松原:matsubara 片山:katayama 今村:imamura 北川:kitagawa 大島:oshima 堀内:horiuchi \
小西:konishi 関口:sekiguchi 矢野:yano 吉野:yoshino 広瀬:hirose 廣瀬:hirose 岡崎:okazaki 中谷:nakatani \
荒井:arai 堤:tsutsumi 奥村:okumura 竹田:takeda 林田:hayashida 田島:tajima 高瀬:takase 杉田:sugita \
足立:adachi 浜田:hamada 濱田:hamada 稲葉:inaba 岡:oka 宇野:uno 山岸:yamagishi 中井:nakai 森下:morishita \
浅井:asai 白石:shiraishi 大森:omori 坂口:sakaguchi 宮下:miyashita 本間:homma 亀井:kamei 三宅:miyake \
田代:tashiro 黒川:kurokawa 宮内:miyauchi 長田:nagata 野崎:nozaki 新田:nitta 安部:abe 古田:furuta \
横田:yokota 水谷:mizutani 西岡:nishioka 津田:tsuda 松永:matsunaga 大竹:otake 平井:hirai 藤川:fujikawa \
徳永:tokunaga 德永:tokunaga 三上:mikami 植田:ueda 根本:nemoto 土井:doi 奥田:okuda 沢田:sawada \
澤田:sawada 小沢:ozawa 小澤:ozawa 野中:nonaka 片岡:kataoka 坂田:sakata 岩井:iwai 飯島:iijima \
佐久間:sakuma 有田:arita 寺田:terada 石橋:ishibashi 川田:kawada 山根:yamane 中原:nakahara 大山:oyama \
河合:kawai 川島:kawashima 梅田:umeda 三木:miki 秋元:akimoto 村井:murai 鎌田:kamata 青山:aoyama \
山川:yamakawa 吉井:yoshii 細田:hosoda 戸田:toda 今田:imada 金井:kanai 牧野:makino 大平:ohira \
重信:shigenobu 麻原:asahara 奥平:okudaira 丸岡:maruoka 坂東:bando 和光:wako 佐藤:sato \
铃木:suzuki 高桥:takahashi 渡边:watanabe 斋藤:saito 桥本:hashimoto 长谷川:hasegawa 后藤:goto 近藤:kondo \
远藤:endo 冈田:okada 冈本:okamoto 樱井:sakurai 关:seki 马场:baba 浅野:asano";

/// Common Japanese given names (whole words).
const JAPANESE_GIVEN: &str = "\
太郎:taro 一郎:ichiro 次郎:jiro 二郎:jiro 三郎:saburo 四郎:shiro 五郎:goro 健:ken 健一:kenichi \
健二:kenji 健太:kenta 健太郎:kentaro 浩:hiroshi 博:hiroshi 弘:hiroshi 宏:hiroshi 洋:hiroshi 寛:hiroshi \
誠:makoto 茂:shigeru 清:kiyoshi 勇:isamu 隆:takashi 孝:takashi 明:akira 昭:akira 彰:akira 晃:akira \
聡:satoshi 学:manabu 翔:sho 翔太:shota 翔平:shohei 大輔:daisuke 拓也:takuya 直樹:naoki 和也:kazuya \
達也:tatsuya 哲也:tetsuya 雄一:yuichi 大樹:daiki 蓮:ren 陽翔:haruto 悠真:yuma 湊:minato 大和:yamato \
翼:tsubasa 亮:ryo 涼:ryo 良:ryo 剛:tsuyoshi 修:osamu 進:susumu 正:tadashi 実:minoru 稔:minoru \
豊:yutaka 武:takeshi 猛:takeshi 毅:takeshi 晋三:shinzo 純一郎:junichiro 文雄:fumio 義偉:yoshihide \
太一:taichi 一:hajime 康:yasushi 秀樹:hideki 英樹:hideki 正樹:masaki 雅人:masato 正人:masato \
和夫:kazuo 幸男:yukio 由紀夫:yukio 春樹:haruki 俊:shun 昇:noboru 光:hikaru 亮太:ryota 優:yu 悠:yu \
慎太郎:shintaro 龍之介:ryunosuke 勝:masaru 克也:katsuya 浩二:koji 浩一:koichi 幸一:koichi 信夫:nobuo \
洋平:yohei 隼人:hayato 颯太:sota 陸:riku 海斗:kaito 樹:itsuki 大翔:hiroto 悠人:yuto 智也:tomoya \
秀明:hideaki 信也:shinya 修一:shuichi 拓海:takumi 匠:takumi 大介:daisuke 雄太:yuta 裕太:yuta \
陽介:yosuke 洋介:yosuke 圭介:keisuke 恵介:keisuke 啓介:keisuke 俊介:shunsuke 康介:kosuke 浩介:kosuke \
耕介:kosuke 直人:naoto 和人:kazuto 秀人:hideto 義男:yoshio 義雄:yoshio 俊夫:toshio 敏夫:toshio \
明夫:akio 昭夫:akio 正夫:masao 正雄:masao 輝:hikaru 一樹:kazuki 和樹:kazuki 友和:tomokazu 達夫:tatsuo \
喜朗:yoshiro 由紀夫:yukio 一夫:kazuo 紀夫:norio 憲一:kenichi 謙一:kenichi 賢一:kenichi 健吾:kengo \
大輝:daiki 光太郎:kotaro 孝太郎:kotaro 幸太郎:kotaro 龍太郎:ryutaro 竜也:tatsuya 直也:naoya 智:satoshi \
花子:hanako 幸子:sachiko 洋子:yoko 陽子:yoko 恵子:keiko 京子:kyoko 和子:kazuko 節子:setsuko \
裕子:yuko 優子:yuko 祐子:yuko 久美子:kumiko 由美子:yumiko 真由美:mayumi 直美:naomi 美穂:miho \
明美:akemi 恵:megumi 愛:ai 智子:tomoko 典子:noriko 紀子:noriko 美紀:miki 香織:kaori 舞:mai 彩:aya \
桜:sakura 陽菜:hina 結衣:yui 葵:aoi 凛:rin 美咲:misaki 結愛:yua 花:hana 芽依:mei 莉子:riko 美羽:miu \
愛子:aiko 真理子:mariko 百合子:yuriko 由紀:yuki 雪:yuki 千尋:chihiro 千代:chiyo 春子:haruko 静香:shizuka \
麻衣:mai 奈々:nana 菜々子:nanako 綾:aya 瞳:hitomi 沙織:saori 美香:mika 理恵:rie 純子:junko \
加奈子:kanako 恵美:emi 絵美:emi 里美:satomi 文子:fumiko 正子:masako 雅子:masako 明子:akiko \
良子:yoshiko 芳子:yoshiko 美智子:michiko 道子:michiko 敏子:toshiko 由美:yumi 真美:mami 亜美:ami \
美樹:miki 早苗:sanae 聖子:seiko 明日香:asuka 翔子:shoko 涼子:ryoko 友美:tomomi 彩香:ayaka 遥:haruka \
七海:nanami 美月:mizuki 杏:an 由香:yuka 美奈子:minako 真紀:maki 麻美:asami 千秋:chiaki 房子:fusako \
房:fusa 富子:tomiko 栄子:eiko 英子:eiko 信子:nobuko 光子:mitsuko 久子:hisako 静子:shizuko 清子:kiyoko \
君子:kimiko 貴子:takako 孝子:takako 弘子:hiroko 博子:hiroko 浩子:hiroko 広子:hiroko 悦子:etsuko";

/// The usual name reading of single characters, for given names the word
/// table lacks (健 + 二 → kenji, 美 + 香 → mika).
const JAPANESE_NAME_KANJI: &str = "\
子:ko 美:mi 恵:e 香:ka 奈:na 菜:na 由:yu 理:ri 里:ri 真:ma 麻:ma 紀:ki 代:yo 江:e 枝:e 乃:no \
千:chi 智:tomo 和:kazu 雅:masa 昌:masa 秀:hide 英:hide 大:dai 謙:ken 賢:ken 太:ta 郎:ro 朗:ro \
二:ji 次:ji 治:ji 司:ji 介:suke 助:suke 輔:suke 也:ya 哉:ya 彦:hiko 人:to 斗:to 平:hei 吾:go \
悟:go 希:ki 貴:taka 高:taka 俊:toshi 敏:toshi 利:toshi 信:nobu 伸:nobu 幸:yuki 之:yuki 行:yuki \
雄:o 夫:o 男:o 光:mitsu 満:mitsu 泰:yasu 安:yasu 靖:yasu 直:nao 尚:nao 文:fumi 史:fumi 勝:katsu \
克:katsu 達:tatsu 龍:ryu 竜:ryu 義:yoshi 善:yoshi 芳:yoshi 佳:yoshi 好:yoshi 吉:yoshi 清:kiyo \
聖:sei 春:haru 晴:haru 陽:haru 秋:aki 夏:natsu 冬:fuyu 敬:kei 圭:kei 啓:kei 慶:kei 恭:kyo 京:kyo \
三:zo 造:zo 蔵:zo 藏:zo 松:matsu 竹:take 梅:ume 菊:kiku 百:momo 万:man 憲:ken 範:nori 則:nori \
典:nori 徳:nori 德:nori 宗:mune 忠:tada 匡:tada 唯:tada 征:yuki 育:iku 郁:iku 若:waka 久:hisa \
寿:hisa 永:naga 長:naga 央:hisa 宣:nobu 延:nobu 宏:hiro 裕:hiro 寛:hiro 洋:hiro 博:hiro 浩:hiro \
弘:hiro 広:hiro 拓:taku 卓:taku 琢:taku 正:masa 政:masa 将:masa 成:nari 茂:shige 重:shige 繁:shige \
栄:ei 瑛:ei 映:ei 詠:ei 亜:a 愛:ai 藍:ai 彩:aya 絢:aya 綾:aya 優:yu 悠:yu 友:tomo 朋:tomo 知:tomo \
伴:tomo 実:mi 未:mi 海:mi 生:o 翔:sho 将:sho 彰:sho 昭:sho 一:ichi 健:ken 純:jun 淳:jun 潤:jun \
順:jun 誠:sei 星:sei 世:se 勇:yu 祐:yu 雄:yu 湧:yu 結:yu";

fn table(src: &'static str) -> HashMap<&'static str, &'static str> {
    let mut m = HashMap::new();
    for item in src.split_whitespace() {
        if let Some((k, v)) = item.split_once(':') {
            m.entry(k).or_insert(v);
        }
    }
    m
}

fn korean_table(src: &'static str) -> HashMap<char, char> {
    let mut m = HashMap::new();
    for item in src.split_whitespace() {
        let mut cs = item.chars();
        if let (Some(h), Some(k)) = (cs.next(), cs.next()) {
            m.entry(h).or_insert(k);
        }
    }
    m
}

fn korean() -> &'static HashMap<char, char> {
    static T: OnceLock<HashMap<char, char>> = OnceLock::new();
    T.get_or_init(|| korean_table(KOREAN))
}

fn korean_surname() -> &'static HashMap<char, char> {
    static T: OnceLock<HashMap<char, char>> = OnceLock::new();
    T.get_or_init(|| korean_table(KOREAN_SURNAME))
}

fn japanese_surnames() -> &'static HashMap<&'static str, &'static str> {
    static T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    T.get_or_init(|| table(JAPANESE_SURNAMES))
}

fn japanese_given() -> &'static HashMap<&'static str, &'static str> {
    static T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    T.get_or_init(|| table(JAPANESE_GIVEN))
}

/// The longest given name of the table, in characters: no piece of a name
/// is looked up longer than this, which keeps the composition linear.
fn longest_japanese_given() -> usize {
    static T: OnceLock<usize> = OnceLock::new();
    *T.get_or_init(|| {
        japanese_given()
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(1)
    })
}

/// Longer runs of Han characters are not personal names; they are read in
/// Mandarin only (bounds the work a hostile query can cause).
const MAX_NAME_RUN: usize = 12;

fn japanese_kanji() -> &'static HashMap<&'static str, &'static str> {
    static T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    T.get_or_init(|| table(JAPANESE_NAME_KANJI))
}

/// Sino-Korean syllable of one character at a position of the name.
fn korean_syllable(c: char, surname: bool) -> Option<char> {
    if surname && let Some(&k) = korean_surname().get(&c) {
        return Some(k);
    }
    korean().get(&c).copied()
}

/// The initial-sound rule (두음법칙) on one Hangul syllable: ㄹ before
/// i/y becomes silent ㅇ, before other vowels ㄴ; ㄴ before i/y becomes ㅇ.
fn initial_sound_rule(c: char) -> char {
    let u = c as u32;
    if !(0xAC00..=0xD7A3).contains(&u) {
        return c;
    }
    let s = u - 0xAC00;
    let (ini, med, fin) = (s / 588, (s % 588) / 28, s % 28);
    // ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ
    let i_like = matches!(med, 2 | 3 | 6 | 7 | 12 | 17 | 20);
    let ini = match (ini, i_like) {
        (5, true) | (2, true) => 11, // ㄹ/ㄴ → ㅇ
        (5, false) => 2,             // ㄹ → ㄴ
        (i, _) => i,
    };
    char::from_u32(0xAC00 + ini * 588 + med * 28 + fin).unwrap_or(c)
}

/// The Hangul spelling of a name written in Han characters (surname, then
/// given name), or `None` when a character has no reading here.
pub fn korean_hangul(run: &[char], north: bool) -> Option<(String, usize)> {
    let text: String = run.iter().collect();
    let surname_len = if KOREAN_DOUBLE_SURNAMES
        .iter()
        .any(|d| text.starts_with(d) && run.len() > 2)
    {
        2
    } else {
        1
    };
    let mut out = String::new();
    for (i, &c) in run.iter().enumerate() {
        let k = korean_syllable(c, i < surname_len)?;
        // The rule applies at the start of the surname and of the given name.
        let word_start = i == 0 || i == surname_len;
        out.push(if word_start && !north {
            initial_sound_rule(k)
        } else {
            k
        });
    }
    Some((out, surname_len))
}

/// The Sino-Korean reading of a run of Han characters, romanized as a name
/// typed in Hangul would be ("kim jeong eun"), or `None`.
pub fn korean_reading(run: &[char], north: bool) -> Option<String> {
    let (hangul, _) = korean_hangul(run, north)?;
    let chars: Vec<char> = hangul.chars().collect();
    Some(super::hangul::word(&chars))
}

/// A given name from the word table, or composed of single-character
/// name readings (fewest pieces first).
fn japanese_given_name(run: &[char]) -> Option<String> {
    let n = run.len();
    if n > MAX_NAME_RUN {
        return None;
    }
    let longest = longest_japanese_given().max(1);
    // best[i]: fewest pieces covering run[i..], and the reading.
    let mut best: Vec<Option<(usize, String)>> = vec![None; n + 1];
    best[n] = Some((0, String::new()));
    for i in (0..n).rev() {
        for j in (i + 1..=n.min(i + longest)).rev() {
            let piece: String = run[i..j].iter().collect();
            let reading = if j - i == 1 {
                japanese_given()
                    .get(piece.as_str())
                    .or_else(|| japanese_kanji().get(piece.as_str()))
            } else {
                japanese_given().get(piece.as_str())
            };
            if let (Some(r), Some((k, rest))) = (reading, &best[j]) {
                let cand = (k + 1, format!("{r}{rest}"));
                if best[i].as_ref().is_none_or(|b| cand.0 < b.0) {
                    best[i] = Some(cand);
                }
            }
        }
    }
    best[0].take().map(|b| b.1)
}

/// The Japanese reading of a run of Han characters: surname and given name
/// ("yamada taro"), a surname or a given name alone, or `None` when the
/// tables cannot read the run.
pub fn japanese_reading(run: &[char]) -> Option<String> {
    if run.len() > MAX_NAME_RUN {
        return None;
    }
    let whole: String = run.iter().collect();
    if let Some(s) = japanese_surnames().get(whole.as_str()) {
        return Some(s.to_string());
    }
    if let Some(g) = japanese_given().get(whole.as_str()) {
        return Some(g.to_string());
    }
    // Surname prefix (longest first), then the given name.
    for len in (1..run.len().min(4)).rev() {
        let head: String = run[..len].iter().collect();
        if let Some(s) = japanese_surnames().get(head.as_str())
            && let Some(g) = japanese_given_name(&run[len..])
        {
            return Some(format!("{s} {g}"));
        }
    }
    japanese_given_name(run)
}

/// Whether every run of Han characters in `text` has a reading of this kind.
pub fn covers(text: &str, reading: HanReading) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let is_han = |c: char| crate::script::char_script(c) == Some(crate::script::Script::Han);
    let mut i = 0;
    let mut any = false;
    while i < chars.len() {
        if !is_han(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_han(chars[i]) {
            i += 1;
        }
        any = true;
        let run = &chars[start..i];
        let ok = match reading {
            HanReading::Mandarin => true,
            HanReading::KoreanSouth => korean_hangul(run, false).is_some(),
            HanReading::KoreanNorth => korean_hangul(run, true).is_some(),
            HanReading::Japanese => japanese_reading(run).is_some(),
        };
        if !ok {
            return false;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ko(s: &str, north: bool) -> String {
        korean_reading(&s.chars().collect::<Vec<_>>(), north).unwrap()
    }

    fn ja(s: &str) -> Option<String> {
        japanese_reading(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn korean_names_read_syllable_by_syllable() {
        assert_eq!(ko("朴槿惠", false), "pak geun hye");
        assert_eq!(ko("文在寅", false), "mun jae in");
        assert_eq!(ko("金大中", false), "kim dae jung");
    }

    #[test]
    fn initial_sound_rule_differs_between_south_and_north() {
        // 李 is Yi/Lee in the South and Ri in the North; 柳 Yu / Ryu.
        assert_eq!(ko("李明博", false), "yi myeong bak");
        assert_eq!(ko("李明博", true), "ri myeong bak");
        assert_eq!(ko("柳成龍", false), "yu seong ryong");
        assert_eq!(ko("柳成龍", true), "ryu seong ryong");
        // The given name's first syllable follows the rule too, not the
        // later ones.
        assert_eq!(ko("崔龍海", false), "choe yong hae");
        assert_eq!(ko("崔龍海", true), "choe ryong hae");
    }

    #[test]
    fn surname_reading_of_kim_differs_from_given_name_reading() {
        assert_eq!(ko("金錦", false), "kim geum");
    }

    #[test]
    fn two_character_korean_surnames_stay_together() {
        assert_eq!(
            korean_hangul(&"南宮民".chars().collect::<Vec<_>>(), false)
                .unwrap()
                .1,
            2
        );
    }

    #[test]
    fn japanese_surname_and_given_name_are_read_as_words() {
        assert_eq!(ja("佐藤健二").as_deref(), Some("sato kenji"));
        assert_eq!(ja("鈴木一郎").as_deref(), Some("suzuki ichiro"));
        assert_eq!(ja("安倍晋三").as_deref(), Some("abe shinzo"));
        assert_eq!(ja("高橋").as_deref(), Some("takahashi"));
        assert_eq!(ja("伊藤美香").as_deref(), Some("ito mika"));
    }

    #[test]
    fn unknown_characters_give_no_japanese_reading() {
        assert_eq!(ja("习近平"), None);
    }

    #[test]
    fn coverage_is_per_run() {
        assert!(covers("佐藤 健", HanReading::Japanese));
        assert!(!covers("习近平", HanReading::Japanese));
        assert!(covers("金正恩", HanReading::KoreanSouth));
        assert!(!covers("Ivan", HanReading::KoreanSouth));
    }

    #[test]
    fn a_run_too_long_for_a_name_gets_no_japanese_reading() {
        let long: Vec<char> = "山田太郎".chars().cycle().take(512).collect();
        assert_eq!(japanese_reading(&long), None);
        assert_eq!(japanese_given_name(&long), None);
        let name: Vec<char> = "山田太郎".chars().collect();
        assert_eq!(japanese_reading(&name).as_deref(), Some("yamada taro"));
    }
}
