import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CloudApiSubscribeDto {
  @ApiPropertyOptional({ example: 'https://crm.example.com/webhooks/whatsapp' }) override_callback_uri?: string;
  @ApiPropertyOptional({ example: 'my-verify-token', description: 'Required with override_callback_uri' }) verify_token?: string;
  @ApiPropertyOptional({ example: 'meta-app-secret-0123456789', description: 'Switchboard extension: the key of X-Hub-Signature-256 (16–256 characters); generated when omitted' })
  app_secret?: string;
}

export class CloudApiSubscribedAppsDto {
  @ApiProperty({
    example: [{ override_callback_uri: 'https://crm.example.com/webhooks/whatsapp', whatsapp_business_api_data: { id: '412345678901234', link: 'http://localhost:3000/docs', name: 'Switchboard' } }],
  })
  data: object[];
}

export class CloudApiRegisterDto {
  @ApiProperty({ example: 'whatsapp' }) messaging_product: string;
  @ApiProperty({ example: '123456', description: 'Six digits (checked like Meta, not stored: a linked device has no two-step PIN here)' }) pin: string;
}

export class CloudApiDebugTokenDto {
  @ApiProperty({
    example: {
      app_id: '412345678901234',
      type: 'SYSTEM_USER',
      application: 'Switchboard',
      data_access_expires_at: 0,
      expires_at: 0,
      is_valid: true,
      scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
      granular_scopes: [
        { scope: 'whatsapp_business_management', target_ids: ['283719402711654'] },
        { scope: 'whatsapp_business_messaging', target_ids: ['283719402711654'] },
      ],
      user_id: '512345678901234',
    },
  })
  data: Record<string, unknown>;
}

export class CloudApiBusinessProfileListDto {
  @ApiProperty({
    example: [{ about: 'Hey there! I am using WhatsApp.', profile_picture_url: 'https://pps.whatsapp.net/…', messaging_product: 'whatsapp' }],
  })
  data: object[];
}

export class CloudApiBusinessProfileUpdateDto {
  @ApiProperty({ example: 'whatsapp' }) messaging_product: string;
  @ApiPropertyOptional({ example: 'Open 9–5, Monday to Friday', description: '1–139 characters' }) about?: string;
  @ApiPropertyOptional({ example: '1037543291543636', description: 'An uploaded JPEG or PNG media id (POST /{phone-number-id}/media)' }) profile_picture_handle?: string;
  @ApiPropertyOptional({ description: 'Business accounts only, at most 256 characters' }) address?: string;
  @ApiPropertyOptional({ description: 'Business accounts only, at most 512 characters' }) description?: string;
  @ApiPropertyOptional({ description: 'Business accounts only, at most 128 characters' }) email?: string;
  @ApiPropertyOptional({ type: [String], description: 'Business accounts only, at most 2 http(s) URLs' }) websites?: string[];
  @ApiPropertyOptional({ example: 'OTHER', description: "Meta's category; accepted, not changeable from a linked device" }) vertical?: string;
}
