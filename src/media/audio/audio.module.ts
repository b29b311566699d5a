import { Module } from '@nestjs/common';
import { VoiceNoteService } from './voice-note.service';

/** Audio conversion for voice notes (TTS output now, uploaded and fetched audio for messages). */
@Module({
  providers: [VoiceNoteService],
  exports: [VoiceNoteService],
})
export class AudioModule {}
