/**
 * An optional edge in front of the HTTP API: a CloudFront distribution with an AWS WAF web ACL
 * whose rate-based rule blocks an address that sends too many requests, before any function
 * runs. HTTP APIs cannot carry a web ACL themselves; CloudFront can, with a web ACL of scope
 * CLOUDFRONT, which AWS creates only in us-east-1.
 */
import { Aws, CfnRule, Duration, Fn, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  CacheHeaderBehavior,
  CacheQueryStringBehavior,
  CacheCookieBehavior,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Either a rate-based web ACL made here (the stack must then be in us-east-1), or one of yours. */
export type FirewallProps =
  | {
      /**
       * Requests one client address may send in any 5 minutes before WAF blocks it (at least 10).
       * It bounds keyless floods, which the stage throttle (shared by everyone) cannot tell apart;
       * but one address may be many people: everyone behind one mobile carrier's NAT, or one
       * office, shares it, so set it for the busiest such address you expect, not for one person.
       */
      readonly rateLimit: number;
    }
  | {
      /** ARN of a web ACL of scope CLOUDFRONT you manage in us-east-1 (e.g. with a rate-based rule). */
      readonly webAclArn: string;
    };

/** What a blocked client reads: Stripe's rate-limit error, which stripe-node raises as a RateLimitError. */
const RATE_LIMITED_BODY = JSON.stringify({
  error: {
    type: 'invalid_request_error',
    code: 'rate_limit',
    message: 'Too many requests hit the API too quickly from this address. Slow down, and retry with an exponential backoff.',
  },
});

export class VerityFirewall extends Construct {
  readonly distribution: Distribution;
  /** The web ACL made here; undefined when one of yours is used. */
  readonly webAcl?: CfnWebACL;
  /** The base URL clients use: the distribution's. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: FirewallProps & { api: HttpApi }) {
    super(scope, id);
    let webAclArn: string;
    if ('rateLimit' in props) {
      if (!Number.isSafeInteger(props.rateLimit) || props.rateLimit < 10)
        throw new Error(`firewall.rateLimit must be an integer of at least 10, not ${props.rateLimit}`);
      // Refuses the deployment up front, with this message, rather than failing on the web ACL.
      new CfnRule(this, 'WebAclInUsEast1', {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
            assertDescription:
              'A CloudFront web ACL can only be created in us-east-1: deploy there, or create it there and pass its ARN (webAclArn).',
          },
        ],
      });
      this.webAcl = new CfnWebACL(this, 'WebAcl', {
        description: 'Verity: blocks a client address that sends too many requests',
        scope: 'CLOUDFRONT',
        defaultAction: { allow: {} },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'VerityWebAcl', sampledRequestsEnabled: false },
        customResponseBodies: { rate_limit: { contentType: 'APPLICATION_JSON', content: RATE_LIMITED_BODY } },
        rules: [
          {
            name: 'RateLimitPerAddress',
            priority: 0,
            statement: { rateBasedStatement: { limit: props.rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
            action: {
              block: {
                customResponse: {
                  responseCode: 429,
                  customResponseBodyKey: 'rate_limit',
                  responseHeaders: [{ name: 'stripe-should-retry', value: 'true' }],
                },
              },
            },
            visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'VerityRateLimitPerAddress', sampledRequestsEnabled: false },
          },
        ],
      });
      webAclArn = this.webAcl.attrArn;
    } else {
      webAclArn = props.webAclArn;
    }

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Verity: the API behind AWS WAF',
      webAclId: webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      defaultBehavior: {
        // execute-api.<region>.amazonaws.com, from the API's https:// endpoint.
        origin: new HttpOrigin(Fn.select(2, Fn.split('/', props.api.apiEndpoint)), {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: new CachePolicy(this, 'NothingCached', {
          comment: 'Verity: nothing is cached; the Authorization header reaches the API on every method',
          // CloudFront forwards Authorization on GET only when the cache policy names it, and a
          // policy may name headers only when its maximum TTL is above zero. The API sends no
          // cache headers, so the default TTL of 0 caches nothing.
          minTtl: Duration.seconds(0),
          defaultTtl: Duration.seconds(0),
          maxTtl: Duration.seconds(1),
          headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
          queryStringBehavior: CacheQueryStringBehavior.all(),
          cookieBehavior: CacheCookieBehavior.all(),
        }),
        // Everything the client sent but Host, which must be the API's own.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    const defaultCertificate =
      "The distribution serves its own *.cloudfront.net name with CloudFront's default certificate, for which CloudFront fixes the TLS " +
      'policy and needs no SNI setting; ' +
      'Stripe SDKs speak TLS 1.2 or later. A domain of yours (with an ACM certificate in us-east-1) belongs on the distribution: add it ' +
      'there.';
    const noLogs =
      "CloudFront's access logs would hold every client's IP address, which Verity's logs never hold; every request that passes is in " +
      "the API's access log, and WAF counts what it blocks in CloudWatch metrics.";
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason:
          'The API serves businesses and the people they verify wherever they are; restrict countries with a WAF rule of your own if you ' +
          'need to.',
      },
      { id: 'AwsSolutions::AwsSolutions-CFR3', reason: noLogs },
      { id: 'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check', reason: noLogs },
      { id: 'AwsSolutions::AwsSolutions-CFR4', reason: defaultCertificate },
      { id: 'cdk-validator-cfnguard::cloudfront_custom_ssl_certificate_check', reason: defaultCertificate },
      { id: 'cdk-validator-cfnguard::cloudfront_sni_enabled_check', reason: defaultCertificate },
      { id: 'cdk-validator-cfnguard::cloudfront_security_policy_check', reason: defaultCertificate },
      {
        id: 'cdk-validator-cfnguard::cloudfront_default_root_object_configured_check',
        reason: 'This is an API, not a website: `/` has no object to serve and answers with a Stripe 404 error.',
      },
      {
        id: 'cdk-validator-cfnguard::cloudfront_origin_failover_enabled_check',
        reason:
          "There is one origin, the stack's HTTP API in its region; another origin would need another copy of the table, which Verity " +
          'does not replicate.',
      },
    );
  }
}
