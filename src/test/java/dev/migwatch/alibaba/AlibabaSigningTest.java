package dev.migwatch.alibaba;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The official vectors from PROVIDERS.md: if these fail, no real gateway accepts our requests. */
class AlibabaSigningTest {

    @Test
    void hmacSha1MatchesTheEcsRequestSignaturesVector() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccessKeyId", "testid");
        params.put("Action", "DescribeRegions");
        params.put("Format", "XML");
        params.put("SignatureMethod", "HMAC-SHA1");
        params.put("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
        params.put("SignatureVersion", "1.0");
        params.put("Timestamp", "2016-02-23T12:46:24Z");
        params.put("Version", "2014-05-26");
        assertEquals("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", AlibabaSigning.hmacSha1Signature("GET", params, "testsecret"));
    }

    @Test
    void acs3MatchesTheV3SignatureVector() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", "ecs.cn-shanghai.aliyuncs.com");
        headers.put("x-acs-action", "RunInstances");
        headers.put("x-acs-version", "2014-05-26");
        headers.put("x-acs-date", "2023-10-26T10:22:32Z");
        headers.put("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d");
        headers.put("x-acs-content-sha256", AlibabaSigning.sha256Hex(""));
        Map<String, String> query = Map.of("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId", "cn-shanghai");

        AlibabaSigning.Acs3 canonical = AlibabaSigning.acs3("POST", "/", query, headers, "");

        assertEquals("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", AlibabaSigning.sha256Hex(canonical.canonicalRequest()));
        assertEquals("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
                AlibabaSigning.acs3Signature(canonical, "YourAccessKeySecret"));
        assertEquals("ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                        + "x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
                AlibabaSigning.authorization("YourAccessKeyId", canonical, AlibabaSigning.acs3Signature(canonical, "YourAccessKeySecret")));
    }

    @Test
    void percentEncodingLeavesOnlyUnreservedCharacters() {
        assertEquals("a%20b%2Ac~d%2F%3D%E4%B8%AD", AlibabaSigning.percentEncode("a b*c~d/=中"));
    }

    @Test
    void percentEncodingIsTheOfficialUtilsOnAnyText() {
        // the official util: URLEncoder, then + -> %20, * -> %2A, %7E -> ~
        java.util.Random random = new java.util.Random(7);
        String alphabet = "aZ09-_.~ +*%/=&?:,;@!$'()[]#\"<>{}|^`\u00e9\u4e2d\u6587\ud83d\ude00\t\n";
        for (int n = 0; n < 5_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                int at = random.nextInt(alphabet.length());
                text.append(Character.isHighSurrogate(alphabet.charAt(at)) ? alphabet.substring(at, at + 2) : alphabet.substring(at, at + 1));
            }
            String t = text.toString().replaceAll("^[\udc00-\udfff]", "");
            String official = java.net.URLEncoder.encode(t, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
            assertEquals(official, AlibabaSigning.percentEncode(t), t);
        }
    }
}
