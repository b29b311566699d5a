import { ApiProperty } from '@nestjs/swagger';

export class CloudApiUploadDto {
  @ApiProperty({ type: 'string', format: 'binary' }) file: unknown;
  @ApiProperty({ example: 'image/png', required: false, description: "MIME type; defaults to the file part's Content-Type" }) type?: string;
  @ApiProperty({ example: 'whatsapp', required: false, description: 'Also accepted as a query parameter (whatsapp-api-js sends it there)' })
  messaging_product?: string;
}

export class CloudApiMediaIdDto {
  @ApiProperty({ example: '1037543291543636' }) id: string;
}

export class CloudApiMediaInfoDto {
  @ApiProperty({ example: 'http://localhost:3000/v21.0/media-download/1037543291543636?ext=1716880052&hash=ATuX…', description: 'Needs the same Bearer token; expires' })
  url: string;
  @ApiProperty({ example: 'image/jpeg' }) mime_type: string;
  @ApiProperty({ example: '73298ec14751f5ff9b4a3b2b36c1b9a1e7cb92f2d3a2b7e4bc5d2f0ab8d13a9c' }) sha256: string;
  @ApiProperty({ example: 61901 }) file_size: number;
  @ApiProperty({ example: '1037543291543636' }) id: string;
  @ApiProperty({ example: 'whatsapp' }) messaging_product: 'whatsapp';
}

export class CloudApiPhoneNumberDto {
  @ApiProperty({ example: 'Acme Support' }) verified_name: string;
  @ApiProperty({ example: 'VERIFIED' }) code_verification_status: string;
  @ApiProperty({ example: '+1 555-010-0000' }) display_phone_number: string;
  @ApiProperty({ example: 'GREEN' }) quality_rating: string;
  @ApiProperty({ example: 'CLOUD_API' }) platform_type: string;
  @ApiProperty({ example: { level: 'STANDARD' } }) throughput: { level: string };
  @ApiProperty({ example: '104918326650144', description: "The session's canonical phone number id (the session id, its number or mobid are accepted in paths too)" }) id: string;
}

export class CloudApiPhoneNumberListDto {
  @ApiProperty({ type: [CloudApiPhoneNumberDto] }) data: CloudApiPhoneNumberDto[];
  @ApiProperty({ example: { cursors: { before: 'QVFIU…', after: 'QVFIU…' } } }) paging: { cursors: { before: string; after: string } };
}
